import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { privateKeyToAccount } from 'viem/accounts';
import { connectGateway, type GatewaySigner } from '../src/gateway/client';
import { isInterrupted, registerCleanup } from './support/cleanup';
import type { GatewayBenchReady } from './support/gateway-server';
import { acquirePostgresServer, createThrowawayDatabase, withDatabaseName } from './support/postgres';
import { cellWanted, measuredSeconds } from './support/settings';

/**
 * Paid `tools/call` through Tally's gateway against the same calls made directly to the upstream MCP
 * server, in the same run: the official MCP SDK client calling the demo server's `add` tool (priced
 * 0.0025 USDC through Tally), with 1 and 32 concurrent clients (each its own MCP session), for each
 * way of proving a request: a bearer grant, a session key (Ed25519 per request), and the wallet
 * itself (an EIP-712 signature per request). Tally (on PostgreSQL and its embedded chain) and the
 * upstream run in processes of their own, so each one's CPU time per call is its own.
 *
 *   npx tsx bench/gateway.ts                              (BENCH_SECONDS=3 per cell)
 *   BENCH_CELLS='session key' npx tsx bench/gateway.ts    (cells whose name contains a part)
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/gateway.ts
 *   BENCH_PROFILE=1 ...                                   (the Tally process writes a CPU profile to bench-profile/)
 *   BENCH_TOOL=echo ...                                   (the demo's free tool: what the proxy costs without charging)
 *
 * Targets: with session keys, at least 70 % of the direct rate, and at most 2 ms added at p50 with
 * one client.
 */

const WARMUP_MS = 1000;
const FREE_TOOL = process.env.BENCH_TOOL === 'echo';
const CONCURRENCY = [1, 32] as const;
const WAYS = ['direct', 'bearer', 'session key', 'wallet'] as const;
type Way = (typeof WAYS)[number];

interface Cell {
  way: Way;
  clients: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Tally's CPU per call (NaN for direct calls); the upstream's for comparison. */
  tallyCpuMs: number;
  upstreamCpuMs: number;
  errors: number;
}

async function startChild<T>(
  script: string,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; ready: T }> {
  const child = fork(path.join(import.meta.dirname, 'support', script), [], {
    env: { ...process.env, ...env },
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE && script === 'gateway-server.ts'
        ? ['--cpu-prof', '--cpu-prof-dir=bench-profile']
        : []),
    ],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  registerCleanup(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const ready = await new Promise<T>((resolve, reject) => {
    child.once('message', (message) => resolve(message as T));
    child.once('exit', (code) => reject(new Error(`${script} ended with ${code}`)));
  });
  return { child, ready };
}

const cpuOf = (child: ChildProcess): Promise<number> =>
  new Promise((resolve) => {
    child.once('message', (message) => resolve((message as { cpuMicros: number }).cpuMicros));
    child.send('cpu');
  });

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const ended = new Promise((resolve) => child.once('exit', resolve));
  child.send('stop');
  await ended;
}

function signerFor(way: Exclude<Way, 'direct'>, ready: GatewayBenchReady): GatewaySigner {
  if (way === 'bearer') return { kind: 'bearer', token: ready.bearer };
  if (way === 'session key')
    return { kind: 'session_key', grantId: ready.grantId, privateKey: ready.sessionPrivateKey };
  return { kind: 'wallet', account: privateKeyToAccount(ready.walletKey), chainId: ready.chainId };
}

async function connect(
  way: Way,
  upstreamUrl: string,
  tallyUrl: string,
  ready: GatewayBenchReady,
): Promise<Client> {
  if (way === 'direct') {
    const client = new Client({ name: 'bench', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(upstreamUrl)));
    return client;
  }
  return connectGateway({ url: tallyUrl, signer: signerFor(way, ready) });
}

async function runCell(
  way: Way,
  clients: number,
  measureMs: number,
  env: {
    upstreamUrl: string;
    tallyUrl: string;
    ready: GatewayBenchReady;
    tally: ChildProcess;
    upstream: ChildProcess;
  },
): Promise<Cell> {
  const sessions = await Promise.all(
    Array.from({ length: clients }, () => connect(way, env.upstreamUrl, env.tallyUrl, env.ready)),
  );
  const latencies: number[] = [];
  let errors = 0;
  let measuring = false;
  let stop = false;
  const loop = async (client: Client, index: number) => {
    let n = 0;
    while (!stop && !isInterrupted()) {
      const started = performance.now();
      const result = (await client.callTool(
        FREE_TOOL
          ? { name: 'echo', arguments: { text: `${index}:${n++}` } }
          : { name: 'add', arguments: { a: index, b: n++ } },
      )) as CallToolResult;
      if (result.isError) errors += 1;
      if (measuring) latencies.push(performance.now() - started);
    }
  };
  const running = sessions.map(loop);
  await new Promise((resolve) => setTimeout(resolve, WARMUP_MS));
  const [tallyBefore, upstreamBefore] = await Promise.all([cpuOf(env.tally), cpuOf(env.upstream)]);
  measuring = true;
  const started = performance.now();
  await new Promise((resolve) => setTimeout(resolve, measureMs));
  measuring = false;
  const elapsed = performance.now() - started;
  const calls = latencies.length;
  const [tallyAfter, upstreamAfter] = await Promise.all([cpuOf(env.tally), cpuOf(env.upstream)]);
  stop = true;
  await Promise.all(running);
  await Promise.all(sessions.map((client) => client.close()));
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return {
    way,
    clients,
    perSecond: (calls / elapsed) * 1000,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    tallyCpuMs: way === 'direct' ? Number.NaN : (tallyAfter - tallyBefore) / 1000 / calls,
    upstreamCpuMs: (upstreamAfter - upstreamBefore) / 1000 / calls,
    errors,
  };
}

const fixed = (value: number, digits: number) => (Number.isNaN(value) ? '—' : value.toFixed(digits));

function report(cells: readonly Cell[]): string {
  const header = [
    'way',
    'clients',
    'calls/s',
    '% of direct',
    'p50 ms',
    'p99 ms',
    '+p50 ms',
    'Tally CPU ms/call',
    'upstream CPU ms/call',
  ];
  const widths = [12, 7, 9, 11, 8, 8, 8, 17, 20];
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const rows = cells.map((cell) => {
    const direct = cells.find((c) => c.way === 'direct' && c.clients === cell.clients);
    return line([
      cell.way,
      String(cell.clients),
      fixed(cell.perSecond, 0),
      direct ? `${fixed((cell.perSecond / direct.perSecond) * 100, 0)} %` : '—',
      fixed(cell.p50Ms, 2),
      fixed(cell.p99Ms, 2),
      direct && cell.way !== 'direct' ? fixed(cell.p50Ms - direct.p50Ms, 2) : '—',
      fixed(cell.tallyCpuMs, 2),
      fixed(cell.upstreamCpuMs, 2),
    ]);
  });
  return [line(header), '-'.repeat(line(header).length), ...rows].join('\n');
}

async function main(): Promise<number> {
  const measureMs = measuredSeconds() * 1000;
  const wanted = cellWanted();
  const server = await acquirePostgresServer();
  if (!server.available) {
    console.log(`skipped: ${server.reason}`);
    return 0;
  }
  const throwaway = await createThrowawayDatabase(server.url);
  const upstream = await startChild<{ url: string }>('mcp-upstream.ts', {});
  const tally = await startChild<GatewayBenchReady>('gateway-server.ts', {
    BENCH_SERVER_DATABASE_URL: withDatabaseName(server.url, throwaway.name),
    BENCH_UPSTREAM_URL: upstream.ready.url,
  });
  const tallyUrl = `http://127.0.0.1:${tally.ready.port}/mcp/bench`;
  console.log(
    `Gateway benchmark: the MCP SDK client calling the demo server's ${FREE_TOOL ? '"echo" directly and through Tally (free: no charge)' : '"add" directly and through Tally (priced 0.0025 USDC)'}, ` +
      `${measureMs / 1000} s measured per cell after ${WARMUP_MS / 1000} s of warm-up; Tally on PostgreSQL (${server.description}).\n`,
  );
  const cells: Cell[] = [];
  try {
    for (const clients of CONCURRENCY) {
      for (const way of WAYS) {
        if (way !== 'direct' && !wanted(`${way} ${clients}`)) continue;
        cells.push(
          await runCell(way, clients, measureMs, {
            upstreamUrl: upstream.ready.url,
            tallyUrl,
            ready: tally.ready,
            tally: tally.child,
            upstream: upstream.child,
          }),
        );
      }
    }
  } finally {
    await stopChild(tally.child);
    await stopChild(upstream.child);
    await throwaway.drop();
  }
  console.log(report(cells));
  const errors = cells.reduce((sum, c) => sum + c.errors, 0);
  if (errors > 0) console.log(`\n${errors} calls answered an error: the figures above count them.`);
  const session1 = cells.find((c) => c.way === 'session key' && c.clients === 1);
  const session32 = cells.find((c) => c.way === 'session key' && c.clients === 32);
  const direct1 = cells.find((c) => c.way === 'direct' && c.clients === 1);
  const direct32 = cells.find((c) => c.way === 'direct' && c.clients === 32);
  if (session1 && session32 && direct1 && direct32) {
    console.log(
      `\nTargets (session keys): throughput >= 70 % of direct — ${fixed((session32.perSecond / direct32.perSecond) * 100, 0)} % with 32 clients, ` +
        `${fixed((session1.perSecond / direct1.perSecond) * 100, 0)} % with 1; p50 added with one client <= 2 ms — ${fixed(session1.p50Ms - direct1.p50Ms, 2)} ms.`,
    );
  }
  console.log(
    "\nReference: x402's `exact` scheme settles every call on chain with an EIP-3009 transfer: a block per call " +
      '(about 2 s on Base, 12 s on Ethereum), so one payer makes at most ~0.5 paid calls per second per nonce lane, ' +
      'and pays gas each time. Through Tally a paid call is a ledger hold and capture: no chain transaction at all.',
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
