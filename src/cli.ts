import { chainCommand } from './chain/commands';
import { adminCommand } from './core/auth/commands';
import { type Command, type CommandContext, UsageError } from './core/command';
import { ConfigError, loadConfig } from './core/config';
import { openConfiguredDatabase } from './core/database';
import { AppError } from './core/errors';
import { demoCommand } from './demo';
import { ledgerCommand } from './ledger/commands';
import { productLines } from './lines';
import { startCommand } from './server';

/** `tally`: finds the command asked for among the core's and the product lines', and runs it. */

const migrateCommand: Command = {
  name: 'migrate',
  usage: 'tally migrate                       apply database migrations and exit',
  run: async (_args, { withDatabase }) => {
    await withDatabase(async () => undefined);
    console.log('migrations applied');
    return 0;
  },
};

const commands: readonly Command[] = [
  startCommand,
  migrateCommand,
  demoCommand,
  ledgerCommand,
  chainCommand,
  adminCommand,
  ...productLines.flatMap((line) => line.commands ?? []),
];

const usage = `tally — one platform on which producers get paid by the people who use what they make

Usage:
${commands.map((command) => command.usage.replace(/^/gm, '  ')).join('\n')}

Amounts on the command line are decimals in the ledger's asset ("12.50" USDC), never rounded.
The chain commands talk to the running Tally (npm start) on PORT with the admin key.
With the embedded database (no DATABASE_URL), stop a running server before using ledger commands:
its data folder is opened by one process at a time.`;

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    console.log(usage);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    console.error(`unknown command "${name}"\n\n${usage}`);
    return 2;
  }
  const config = loadConfig();
  const context: CommandContext = {
    config,
    withDatabase: async (work) => {
      const database = await openConfiguredDatabase(config);
      try {
        await database.migrate();
        return await work(database);
      } finally {
        await database.close();
      }
    },
  };
  try {
    return await command.run(args, context);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${command.usage}`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof ConfigError || error instanceof AppError) console.error(error.message);
    else console.error(error);
    process.exitCode = 1;
  },
);
