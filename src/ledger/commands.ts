import { parseArgs } from 'node:util';
import { systemActor } from '../core/actor';
import { systemClock } from '../core/clock';
import { type Command, UsageError } from '../core/command';
import type { Database } from '../core/database';
import { AppError } from '../core/errors';
import { newId } from '../core/ids';
import { formatAmount, parseAmount } from '../core/money';
import { applyTransfers } from './engine';
import { findLedgerViolations } from './invariants';
import {
  createAccounts,
  createLedger,
  getAccount,
  getAccountHistory,
  getLedger,
  getTransfer,
  listAccounts,
} from './service';
import type { TransferInput } from './types';

/** `tally ledger …`: the operator's way to the ledger, on the database directly. */
export const ledgerCommand: Command = {
  name: 'ledger',
  usage: `tally ledger create-ledger --code USDC --scale 6 [--name "USD Coin"]
tally ledger create-account --ledger USDC --code wallet [--owner org:…] [--id <uuid>]
                            [--debits-must-not-exceed-credits | --credits-must-not-exceed-debits]
tally ledger accounts [--ledger USDC] [--owner org:…] [--limit 50] [--cursor <cursor>]
tally ledger transfer --debit <account> --credit <account> --amount 12.50 --ledger USDC --code payment
                      [--pending [--timeout <seconds>]] [--id <uuid>]
tally ledger post <pending-id> [--amount 10.00] [--id <uuid>]
tally ledger void <pending-id> [--id <uuid>]
tally ledger balance <account>
tally ledger history <account> [--limit 50] [--cursor <cursor>]
tally ledger verify                 check the ledger's invariants`,
  run: (args, { withDatabase }) => withDatabase((database) => runLedgerCommand(database, args)),
};

async function runLedgerCommand(database: Database, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      code: { type: 'string' },
      scale: { type: 'string' },
      name: { type: 'string' },
      ledger: { type: 'string' },
      owner: { type: 'string' },
      id: { type: 'string' },
      debit: { type: 'string' },
      credit: { type: 'string' },
      amount: { type: 'string' },
      pending: { type: 'boolean' },
      timeout: { type: 'string' },
      limit: { type: 'string' },
      cursor: { type: 'string' },
      'debits-must-not-exceed-credits': { type: 'boolean' },
      'credits-must-not-exceed-debits': { type: 'boolean' },
    },
  });
  const deps = { db: database.db, clock: systemClock, actor: systemActor };
  const required = (name: keyof typeof values): string => {
    const value = values[name];
    if (typeof value !== 'string' || value === '')
      throw new AppError('validation_failed', `--${name} is required`);
    return value;
  };
  const positional = (what: string): string => {
    const value = positionals[0];
    if (!value) throw new AppError('validation_failed', `the ${what} is required`);
    return value;
  };
  const scaleOf = async (ledger: string) => (await getLedger(deps, ledger)).scale;

  switch (action) {
    case 'create-ledger': {
      const scale = Number(required('scale'));
      const ledger = await createLedger(deps, { code: required('code'), scale, name: values.name });
      console.log(`ledger ${ledger.code} (scale ${ledger.scale})`);
      return 0;
    }
    case 'create-account': {
      const id = values.id ?? newId();
      const [outcome] = await createAccounts(deps, [
        {
          id,
          ledger: required('ledger'),
          code: required('code'),
          owner: values.owner ?? null,
          flags: {
            debitsMustNotExceedCredits: values['debits-must-not-exceed-credits'],
            creditsMustNotExceedDebits: values['credits-must-not-exceed-debits'],
          },
        },
      ]);
      console.log(`${outcome?.result} ${id}`);
      return outcome?.result === 'ok' || outcome?.result === 'exists' ? 0 : 1;
    }
    case 'accounts': {
      const page = await listAccounts(deps, {
        ledger: values.ledger,
        owner: values.owner,
        cursor: values.cursor,
        limit: values.limit ? Number(values.limit) : undefined,
      });
      for (const account of page.items) {
        const scale = await scaleOf(account.ledger);
        console.log(
          `${account.id}  ${account.ledger.padEnd(8)} ${account.code.padEnd(16)} ` +
            `credits ${formatAmount(account.creditsPosted, scale)}  debits ${formatAmount(account.debitsPosted, scale)}`,
        );
      }
      if (page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      return 0;
    }
    case 'transfer': {
      const ledger = required('ledger');
      const amount = parseAmount(required('amount'), await scaleOf(ledger));
      return runTransfer(database, {
        id: values.id ?? newId(),
        debitAccountId: required('debit'),
        creditAccountId: required('credit'),
        amount,
        ledger,
        code: required('code'),
        timeoutSeconds: values.timeout ? Number(values.timeout) : undefined,
        flags: { pending: values.pending === true },
      });
    }
    case 'post':
    case 'void': {
      const pendingId = positional('pending transfer id');
      let amount: bigint | undefined;
      if (action === 'post' && values.amount) {
        const { ledger } = await getTransfer(deps, pendingId);
        amount = parseAmount(values.amount, await scaleOf(ledger));
      }
      return runTransfer(database, {
        id: values.id ?? newId(),
        pendingId,
        amount,
        flags: action === 'post' ? { postPendingTransfer: true } : { voidPendingTransfer: true },
      });
    }
    case 'balance': {
      const account = await getAccount(deps, positional('account id'));
      const scale = await scaleOf(account.ledger);
      const f = (v: bigint) => `${formatAmount(v, scale)} ${account.ledger}`;
      console.log(`account ${account.id} (${account.code}, owner ${account.owner ?? '—'})`);
      console.log(
        `  credits posted   ${f(account.creditsPosted)}\n  debits posted    ${f(account.debitsPosted)}`,
      );
      console.log(
        `  credits pending  ${f(account.creditsPending)}\n  debits pending   ${f(account.debitsPending)}`,
      );
      return 0;
    }
    case 'history': {
      const accountId = positional('account id');
      const account = await getAccount(deps, accountId);
      const scale = await scaleOf(account.ledger);
      const page = await getAccountHistory(deps, accountId, {
        cursor: values.cursor,
        limit: values.limit ? Number(values.limit) : undefined,
      });
      for (const { transfer, side, balance } of page.items) {
        const sign = side === 'credit' ? '+' : '-';
        console.log(
          `#${transfer.seq} ${transfer.createdAt.toISOString()} ${transfer.kind.padEnd(14)} ${sign}${formatAmount(transfer.amount, scale)} ` +
            `→ credits ${formatAmount(balance.creditsPosted, scale)} debits ${formatAmount(balance.debitsPosted, scale)}` +
            ` (pending +${formatAmount(balance.creditsPending, scale)} -${formatAmount(balance.debitsPending, scale)})`,
        );
      }
      if (page.nextCursor) console.log(`more: --cursor ${page.nextCursor}`);
      return 0;
    }
    case 'verify': {
      const violations = await findLedgerViolations(database.db);
      for (const v of violations) console.log(`violation: ${v}`);
      console.log(
        violations.length === 0 ? 'all ledger invariants hold' : `${violations.length} violation(s)`,
      );
      return violations.length === 0 ? 0 : 1;
    }
    default:
      throw new UsageError(`unknown ledger command "${action ?? ''}"`);
  }
}

async function runTransfer(database: Database, input: TransferInput): Promise<number> {
  const [result] = await database.db.transaction((tx) => applyTransfers(tx, [input], { clock: systemClock }));
  console.log(`${result?.result} ${input.id}`);
  return result?.result === 'ok' || result?.result === 'exists' ? 0 : 1;
}
