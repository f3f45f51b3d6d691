import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { isInterrupted, registerCleanup } from './support/cleanup';
import type { ServerReady, ServerUsage } from './support/http-server';
import {
  acquirePostgresServer,
  createThrowawayDatabase,
  errorText,
  withDatabaseName,
} from './support/postgres';
import { cellWanted, loadedTransfers, measuredSeconds } from './support/settings';
import { postgresCpuMicros } from './support/statements';

/**
 * The request path: 32 keep-alive clients against a Tally on PostgreSQL in a process of its own,
 * every request with an API key. Reference: GET /healthz (one `SELECT 1`) with the same clients in the
 * same run. Cells: one transfer per POST /api/ledger/transfers (operator key) spread over 1,000
 * accounts and on one hot pair; credits' reserve and use (a person's key); a history page and a list
 * page. Each prints its rate, its share of the /healthz rate and, per request, the server's CPU time
 * and SQL statements, PostgreSQL's CPU time (when it runs on this machine) and the clients' own CPU
 * time: on a machine of two cores the three share them, so these say where a request's cost lies.
 * All of it runs on an empty ledger, then again after loading BENCH_LOADED_TRANSFERS transfers
 * (1,000,000 by default; 0 skips) through the API in batches of 100.
 *
 *   npx tsx bench/http.ts                   (BENCH_SECONDS=3 per cell by default)
 *   BENCH_PROFILE=1 BENCH_CELLS=credits ...  (the Tally process writes a CPU profile to bench-profile/)
 *   BENCH_DATABASE_URL=postgres://... BENCH_LOADED_TRANSFERS=0 npx tsx bench/http.ts
 */

const CLIENTS = 32;
/** One keep-alive connection per client. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const ACCOUNTS = 1_000;
const WARMUP_MS = 500;
const LEDGER = 'BENCH';

interface Cell {
  name: string;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  cpuMsPerRequest: number;
  statementsPerRequest: number;
  clientCpuMsPerRequest: number;
  /** NaN when PostgreSQL runs elsewhere (its processes are not on this machine). */
  postgresCpuMsPerRequest: number;
}

interface Target {
  base: string;
  port: number;
  ready: ServerReady;
  child: ChildProcess;
  accounts: string[];
  history: string;
}

async function main(): Promise<number> {
  const measureMs = measuredSeconds() * 1000;
  const loaded = loadedTransfers();
  const server = await acquirePostgresServer();
  if (!server.available) {
    console.log(`skipped: ${server.reason}`);
    return 0;
  }
  try {
    const throwaway = await createThrowawayDatabase(server.url);
    try {
      const target = await startTally(withDatabaseName(server.url, throwaway.name));
      try {
        console.log(
          `Tally HTTP benchmark: ${CLIENTS} keep-alive clients, ${measureMs / 1000} s measured per cell after ` +
            `${WARMUP_MS / 1000} s of warm-up; Tally in its own process on PostgreSQL (${server.description}).\n`,
        );
        await setUp(target);
        console.log(formatTable('Empty ledger', await runCells(target, measureMs)));
        if (loaded > 0) {
          const rate = await load(target, loaded);
          console.log(
            `Loaded ${loaded.toLocaleString('en-US')} transfers in batches of 100: ${Math.round(rate).toLocaleString('en-US')}/s.\n`,
          );
          console.log(
            formatTable(
              `After ${loaded.toLocaleString('en-US')} transfers`,
              await runCells(target, measureMs),
            ),
          );
        }
      } finally {
        await stopTally(target);
      }
    } finally {
      await throwaway.drop();
    }
  } finally {
    await server.release();
  }
  return 0;
}

async function startTally(url: string): Promise<Target> {
  const child = fork(path.join(import.meta.dirname, 'support', 'http-server.ts'), [], {
    env: { ...process.env, BENCH_SERVER_DATABASE_URL: url },
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=bench-profile'] : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const stop = registerCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const ready = await new Promise<ServerReady>((resolve, reject) => {
    child.once('message', (message) => resolve(message as ServerReady));
    child.once('exit', (code) => reject(new Error(`the Tally process ended with ${code}`)));
  });
  void stop;
  return {
    base: `http://127.0.0.1:${ready.port}`,
    port: ready.port,
    ready,
    child,
    accounts: [],
    history: '',
  };
}

async function stopTally(target: Target): Promise<void> {
  if (target.child.exitCode !== null) return;
  const ended = new Promise((resolve) => target.child.once('exit', resolve));
  target.child.send('stop');
  await ended;
}

const serverUsage = (target: Target): Promise<ServerUsage> =>
  new Promise((resolve) => {
    target.child.once('message', (message) => resolve(message as ServerUsage));
    target.child.send('cpu');
  });

const ownCpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function call(target: Target, method: string, route: string, key: string | null, body?: unknown) {
  const headers: Record<string, string> = {};
  if (key) headers.authorization = `Bearer ${key}`;
  if (body !== undefined) {
    headers['content-type'] = 'application/json';
    if (route.startsWith('/api/credits')) headers['idempotency-key'] = randomUUID();
  }
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port: target.port, path: route, method, headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
  if (status < 200 || status > 299)
    throw new Error(`${method} ${route} answered ${status}: ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function setUp(target: Target): Promise<void> {
  const operator = target.ready.operatorKey;
  await call(target, 'POST', '/api/ledger/ledgers', operator, { code: LEDGER, scale: 2 });
  target.accounts = Array.from({ length: ACCOUNTS }, () => randomUUID());
  await call(target, 'POST', '/api/ledger/accounts', operator, {
    accounts: target.accounts.map((id) => ({ id, ledger: LEDGER, code: 'bench' })),
  });
  target.history = target.accounts[0]!;
  // A full first page in both passes: on an empty ledger the history account would otherwise have
  // only what the transfer cells gave it, and a shorter page to answer.
  await call(target, 'POST', '/api/ledger/transfers', operator, {
    transfers: Array.from(
      { length: 60 },
      (_, i) => transfer(target.history, target.accounts[1 + (i % 9)]!).transfers[0],
    ),
  });
}

const transfer = (debit: string, credit: string) => ({
  transfers: [
    {
      id: randomUUID(),
      debit_account_id: debit,
      credit_account_id: credit,
      amount: '1',
      ledger: LEDGER,
      code: 'bench',
    },
  ],
});

async function runCells(target: Target, measureMs: number): Promise<Cell[]> {
  const { operatorKey, personKey } = target.ready;
  const pick = () => target.accounts[Math.floor(Math.random() * target.accounts.length)]!;
  const spread = () => {
    const debit = pick();
    let credit = pick();
    while (credit === debit) credit = pick();
    return transfer(debit, credit);
  };
  const [hotA, hotB] = [target.accounts[1]!, target.accounts[2]!];
  const cells: Cell[] = [];
  const wanted = cellWanted();
  const run = async (name: string, request: () => Promise<number>) => {
    if (!wanted(name)) return;
    process.stderr.write(`  ${name}...\n`);
    cells.push({ name, ...(await measure(target, request, measureMs)) });
  };
  await run('GET /healthz', async () => {
    await call(target, 'GET', '/healthz', null);
    return 1;
  });
  await run('transfer, 1,000 accounts', async () => {
    await call(target, 'POST', '/api/ledger/transfers', operatorKey, spread());
    return 1;
  });
  await run('transfer, one hot pair', async () => {
    await call(target, 'POST', '/api/ledger/transfers', operatorKey, transfer(hotA, hotB));
    return 1;
  });
  await run('credits reserve, then use', async () => {
    const reserved = await call(target, 'POST', '/api/credits/reserve', personKey, {
      action: 'generate_image',
      amount: '2',
      reserved_for: 'benchmark',
    });
    await call(target, 'POST', '/api/credits/use', personKey, { reservation_id: reserved.id, amount: '1' });
    return 2;
  });
  await run('account history page (50)', async () => {
    await call(target, 'GET', `/api/ledger/accounts/${target.history}/history?limit=50`, operatorKey);
    return 1;
  });
  await run('transfer list page (50)', async () => {
    await call(target, 'GET', `/api/ledger/transfers?limit=50`, operatorKey);
    return 1;
  });
  return cells;
}

/** Runs `request` in a loop on every client; counts the requests that end inside the window. */
async function measure(
  target: Target,
  request: () => Promise<number>,
  measureMs: number,
): Promise<Omit<Cell, 'name'>> {
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const endAt = measureFrom + measureMs;
  const latencies: number[] = [];
  let counted = 0;
  let all = 0;
  const before = {
    server: await serverUsage(target),
    client: ownCpuMicros(),
    postgres: postgresCpuMicros() ?? Number.NaN,
  };
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < endAt) {
        const startedAt = performance.now();
        const requests = await request();
        const finishedAt = performance.now();
        all += requests;
        if (finishedAt >= measureFrom && finishedAt <= endAt) {
          counted += requests;
          latencies.push((finishedAt - startedAt) / requests);
        }
      }
    }),
  );
  const server = await serverUsage(target);
  const perRequest = (micros: number) => (all > 0 ? micros / 1000 / all : Number.NaN);
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.max(1, Math.ceil((p / 100) * latencies.length)) - 1] ?? Number.NaN;
  return {
    perSecond: counted / (measureMs / 1000),
    p50Ms: at(50),
    p99Ms: at(99),
    cpuMsPerRequest: perRequest(server.cpuMicros - before.server.cpuMicros),
    statementsPerRequest: all > 0 ? (server.statements - before.server.statements) / all : Number.NaN,
    clientCpuMsPerRequest: perRequest(ownCpuMicros() - before.client),
    postgresCpuMsPerRequest: perRequest((postgresCpuMicros() ?? Number.NaN) - before.postgres),
  };
}

/** Loads `count` transfers through the API in batches of 100, 32 at a time; returns transfers/s. */
async function load(target: Target, count: number): Promise<number> {
  process.stderr.write(`  loading ${count.toLocaleString('en-US')} transfers...\n`);
  const batches = Math.ceil(count / 100);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let batch = next++; batch < batches; batch = next++) {
        const size = Math.min(100, count - batch * 100);
        const transfers = Array.from({ length: size }, () => {
          const debit = target.accounts[Math.floor(Math.random() * ACCOUNTS)]!;
          let credit = target.accounts[Math.floor(Math.random() * ACCOUNTS)]!;
          while (credit === debit) credit = target.accounts[Math.floor(Math.random() * ACCOUNTS)]!;
          return transfer(debit, credit).transfers[0]!;
        });
        await call(target, 'POST', '/api/ledger/transfers', target.ready.operatorKey, { transfers });
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

function formatTable(title: string, cells: readonly Cell[]): string {
  const healthz = cells.find((c) => c.name === 'GET /healthz')?.perSecond ?? Number.NaN;
  const line = (cols: string[]) =>
    [cols[0]!.padEnd(30), ...cols.slice(1).map((c) => c.padStart(11))].join('  ');
  const header = line([
    'cell',
    'per second',
    '% /healthz',
    'p50 ms',
    'p99 ms',
    'CPU ms/req',
    'SQL/req',
    'PG CPU ms',
    'client CPU',
  ]);
  const rows = cells.map((c) =>
    line([
      c.name,
      Math.round(c.perSecond).toLocaleString('en-US'),
      `${Math.round((100 * c.perSecond) / healthz)}%`,
      c.p50Ms.toFixed(2),
      c.p99Ms.toFixed(2),
      c.cpuMsPerRequest.toFixed(3),
      c.statementsPerRequest.toFixed(2),
      Number.isNaN(c.postgresCpuMsPerRequest) ? 'n/a' : c.postgresCpuMsPerRequest.toFixed(3),
      c.clientCpuMsPerRequest.toFixed(3),
    ]),
  );
  return [
    `${title} (credits: each of reserve and use is one request. Per request: CPU ms of the Tally process, the ` +
      `statements it sent, CPU ms of PostgreSQL's processes when they run here, CPU ms of this benchmark's clients)`,
    header,
    '-'.repeat(header.length),
    ...rows,
    '',
  ].join('\n');
}

main().then(
  (exitCode) => {
    process.exitCode = exitCode;
  },
  (error: unknown) => {
    if (isInterrupted()) return;
    console.error(
      `\n!! BENCHMARK FAILED: ${error instanceof Error ? String(error.stack) : errorText(error)}\n`,
    );
    process.exitCode = 1;
  },
);
