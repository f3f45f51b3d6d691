import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { systemActor } from './core/actor';
import { resolveAdminApiKey } from './core/admin-key';
import { createAdministrator } from './core/auth/accounts';
import { newSecret } from './core/auth/tokens';
import { systemClock } from './core/clock';
import { type Config, ConfigError, loadConfig } from './core/config';
import { type Database, openDatabase } from './core/database';
import { AppError } from './core/errors';
import { newId } from './core/ids';
import { createLogger } from './core/log';
import { formatAmount, parseAmount } from './core/money';
import { ensureWebAppBuilt } from './core/web';
import { applyTransfers } from './ledger/engine';
import { findLedgerViolations } from './ledger/invariants';
import {
  createAccounts,
  createLedger,
  getAccount,
  getAccountHistory,
  getLedger,
  getTransfer,
  listAccounts,
} from './ledger/service';
import type { TransferInput } from './ledger/types';

const USAGE = `tally — one platform on which producers get paid by the people who use what they make

Usage:
  tally start                         serve the API and web app (PORT, default 3000)
  tally migrate                       apply database migrations and exit
  tally ledger create-ledger --code USDC --scale 6 [--name "USD Coin"]
  tally ledger create-account --ledger USDC --code wallet [--owner org:…] [--id <uuid>]
                              [--debits-must-not-exceed-credits | --credits-must-not-exceed-debits]
  tally ledger accounts [--ledger USDC] [--owner org:…] [--limit 50] [--after <id>]
  tally ledger transfer --debit <account> --credit <account> --amount 12.50 --ledger USDC --code payment
                        [--pending [--timeout <seconds>]] [--id <uuid>]
  tally ledger post <pending-id> [--amount 10.00] [--id <uuid>]
  tally ledger void <pending-id> [--id <uuid>]
  tally ledger balance <account>
  tally ledger history <account> [--limit 50] [--after <cursor>]
  tally ledger verify                 check the ledger's invariants
  tally chain status                  the chain, the treasury's balances and open transactions
  tally chain faucet <address> [--token USDC|DAI] [--amount 1000]
                                      mint test tokens (and ETH for gas) on the development chain
  tally admin create --email ada@example.com [--name "Ada"] [--password …]
                                      make an administrator (a new account, or promote an existing one);
                                      without --password one is generated and printed once

Amounts on the command line are decimals in the ledger's asset ("12.50" USDC), never rounded.
The chain commands talk to the running Tally (npm start) on PORT with the admin key.
With the embedded database (no DATABASE_URL), stop a running server before using ledger commands:
its data folder is opened by one process at a time.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig();
  switch (command) {
    case 'start':
      return start(config);
    case 'migrate': {
      const database = await openConfiguredDatabase(config);
      await database.migrate();
      await database.close();
      console.log('migrations applied');
      return 0;
    }
    case 'ledger':
      return withDatabase(config, (database) => ledgerCommand(database, rest));
    case 'admin':
      return withDatabase(config, (database) => adminCommand(database, rest));
    case 'chain':
      return chainCommand(config, rest);
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

function openConfiguredDatabase(config: Config): Promise<Database> {
  return config.databaseUrl
    ? openDatabase({ url: config.databaseUrl, poolSize: config.databasePoolSize })
    : openDatabase({ dataDir: config.dataDir });
}

async function withDatabase(config: Config, run: (database: Database) => Promise<number>): Promise<number> {
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    return await run(database);
  } finally {
    await database.close();
  }
}

async function start(config: Config): Promise<number> {
  // Loaded here: the whole server (every line, the chain) is more than the other commands need.
  const [{ createTally }, { openChain }] = await Promise.all([import('./app'), import('./chain/runtime')]);
  const log = createLogger(config.logLevel);
  const webDistDir = await ensureWebAppBuilt(log);
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const admin = resolveAdminApiKey(config.adminApiKey, config.home);
  const chain = await openChain(config.chain, log);
  const tally = createTally({ config, database, adminApiKey: admin.key, log, webDistDir, chain });
  // The treasury's nonces are taken over before anything can be queued to send.
  await tally.sender?.prepare();
  if (config.jobsEnabled) tally.jobs.start(config.jobsPollMs);

  const server = serve({ fetch: tally.http.fetch, port: config.port, hostname: config.host });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  log.info(
    {
      url: `http://${shownHost}:${port}`,
      database: database.dialect === 'pglite' ? `embedded (${config.dataDir})` : 'postgresql',
      adminKey: admin.file ? `in ${admin.file}` : 'from ADMIN_API_KEY',
      chain: `${chain.client.chain.name} (${chain.client.chainId})`,
    },
    'Tally is running',
  );
  console.log(`Tally is running at http://${shownHost}:${port} — API reference at /docs`);

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await tally.jobs.stop();
  await chain.stop();
  await database.close();
  return 0;
}

async function ledgerCommand(database: Database, args: string[]): Promise<number> {
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
      after: { type: 'string' },
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
        after: values.after,
        limit: values.limit ? Number(values.limit) : undefined,
      });
      for (const account of page.items) {
        const scale = await scaleOf(account.ledger);
        console.log(
          `${account.id}  ${account.ledger.padEnd(8)} ${account.code.padEnd(16)} ` +
            `credits ${formatAmount(account.creditsPosted, scale)}  debits ${formatAmount(account.debitsPosted, scale)}`,
        );
      }
      if (page.nextCursor) console.log(`more: --after ${page.nextCursor}`);
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
        after: values.after,
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
      if (page.nextCursor) console.log(`more: --after ${page.nextCursor}`);
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
      console.error(`unknown ledger command "${action ?? ''}"\n\n${USAGE}`);
      return 2;
  }
}

async function adminCommand(database: Database, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action !== 'create') {
    console.error(`unknown admin command "${action ?? ''}"\n\n${USAGE}`);
    return 2;
  }
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

async function chainCommand(config: Config, args: string[]): Promise<number> {
  const [action, ...rest] = args;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { token: { type: 'string' }, amount: { type: 'string' } },
  });
  const api = runningTallyApi(config);
  if (action === 'status') {
    const status = await api<ChainStatusBody>('GET', '/api/chain/status');
    console.log(`${status.chain.name} (chain ${status.chain.chain_id}) at block ${status.head.number}`);
    console.log(`treasury ${status.treasury.address}`);
    for (const balance of status.treasury.balances) {
      console.log(
        `  ${formatAmount(BigInt(balance.amount), balance.decimals).padStart(28)} ${balance.symbol}`,
      );
    }
    console.log(`transactions: ${status.transactions.queued} queued, ${status.transactions.pending} pending`);
    for (const t of status.transactions.open)
      console.log(`  ${t.state.padEnd(8)} #${t.nonce} ${t.purpose} ${t.id}`);
    for (const f of status.followers)
      console.log(`follower ${f.follower}: block ${f.block_number}, ${f.lag} behind`);
    return 0;
  }
  if (action === 'faucet') {
    const address = positionals[0];
    if (!address) throw new AppError('validation_failed', 'the address to fund is required');
    const outcome = await api<{ amount: string; token: string; transactions: ChainTransactionBody[] }>(
      'POST',
      '/api/chain/faucet',
      { address, token: values.token ?? 'USDC', ...(values.amount ? { amount: values.amount } : {}) },
    );
    console.log(`sending ${values.amount ?? 'the default amount of'} ${outcome.token} to ${address} …`);
    for (const queued of outcome.transactions) {
      const done = await waitForTransaction(api, queued.id);
      console.log(
        `${done.state} ${done.mined_hash ?? done.hashes.at(-1) ?? ''} (${String(done.metadata.token)})`,
      );
      if (done.state !== 'confirmed') return 1;
    }
    return 0;
  }
  console.error(`unknown chain command "${action ?? ''}"\n\n${USAGE}`);
  return 2;
}

interface ChainTransactionBody {
  id: string;
  state: string;
  nonce: string;
  purpose: string;
  hashes: string[];
  mined_hash: string | null;
  metadata: Record<string, unknown>;
}

interface ChainStatusBody {
  chain: { name: string; chain_id: number };
  head: { number: string };
  treasury: { address: string; balances: { symbol: string; decimals: number; amount: string }[] };
  transactions: { queued: number; pending: number; open: ChainTransactionBody[] };
  followers: { follower: string; block_number: string; lag: string }[];
}

type Api = <T>(method: string, path: string, body?: unknown) => Promise<T>;

/** Calls the running Tally's API with the operator key, as the chain's single sender must do the sending. */
function runningTallyApi(config: Config): Api {
  const { key } = resolveAdminApiKey(config.adminApiKey, config.home);
  const base = `http://127.0.0.1:${config.port}`;
  return async (method, path, body) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).catch(() => {
      throw new AppError('unavailable', `Tally is not running at ${base}: start it first (npm start)`);
    });
    const json = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
    if (!response.ok)
      throw new AppError('bad_request', json.error?.message ?? `${path} answered ${response.status}`);
    return json as never;
  };
}

/** Follows a transaction until it is final, or for two minutes (then it is left to the server). */
async function waitForTransaction(api: Api, id: string): Promise<ChainTransactionBody> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const transaction = await api<ChainTransactionBody>('GET', `/api/chain/transactions/${id}`);
    const open = transaction.state === 'queued' || transaction.state === 'pending';
    if (!open || Date.now() > deadline) return transaction;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function runTransfer(database: Database, input: TransferInput): Promise<number> {
  const [result] = await database.db.transaction((tx) => applyTransfers(tx, [input], { clock: systemClock }));
  console.log(`${result?.result} ${input.id}`);
  return result?.result === 'ok' || result?.result === 'exists' ? 0 : 1;
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
