import { parseArgs } from 'node:util';
import { systemClock } from '../clock';
import { type Command, UsageError } from '../command';
import type { Database } from '../database';
import { AppError } from '../errors';
import { createAdministrator } from './accounts';
import { newSecret } from './tokens';

/** `tally admin create`: an operator's way to the first administrator. */
export const adminCommand: Command = {
  name: 'admin',
  usage: `tally admin create --email ada@example.com [--name "Ada"] [--password …]
                                    make an administrator (a new account, or promote an existing one);
                                    without --password one is generated and printed once`,
  run: (args, { withDatabase }) => withDatabase((database) => runAdminCommand(database, args)),
};

async function runAdminCommand(database: Database, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') throw new UsageError(`unknown admin command "${action ?? ''}"`);
  const { values } = parseArgs({
    args: rest,
    options: { email: { type: 'string' }, name: { type: 'string' }, password: { type: 'string' } },
  });
  if (!values.email) throw new AppError('validation_failed', '--email is required');
  const password = values.password ?? newSecret().slice(0, 20);
  const { created } = await createAdministrator(database.db, systemClock, {
    email: values.email,
    name: values.name ?? '',
    password,
  });
  if (created) {
    console.log(`administrator ${values.email} created`);
    if (!values.password) console.log(`password: ${password}  (shown once; change it after logging in)`);
  } else {
    console.log(`${values.email} is now an administrator (password unchanged)`);
  }
  return 0;
}
