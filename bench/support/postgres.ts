import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { type Database, openDatabase } from '../../src/core/database';
import { registerCleanup } from './cleanup';

const run = promisify(execFile);

const POOL_SIZE = 40;

/** A PostgreSQL server to benchmark on, or why there is none. */
export type PostgresServer =
  | { available: true; url: string; description: string; release: () => Promise<void> }
  | { available: false; reason: string };

/** BENCH_DATABASE_URL, else TEST_DATABASE_URL, else a throw-away server started here. */
export async function acquirePostgresServer(): Promise<PostgresServer> {
  const configured = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (configured) {
    const source = process.env.BENCH_DATABASE_URL ? 'BENCH_DATABASE_URL' : 'TEST_DATABASE_URL';
    return {
      available: true,
      url: configured,
      description: `${source} (${redact(configured)})`,
      release: async () => {},
    };
  }
  try {
    return await startThrowawayServer();
  } catch (error) {
    return {
      available: false,
      reason: `no BENCH_DATABASE_URL or TEST_DATABASE_URL, and ${errorText(error)}`,
    };
  }
}

export interface ThrowawayDatabase {
  database: Database;
  name: string;
  drop: () => Promise<void>;
}

/** Creates bench_<random> on the server, opens it with a pool of 40 and migrates it. */
export async function createThrowawayDatabase(serverUrl: string): Promise<ThrowawayDatabase> {
  const name = `bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${name}`);
  let database: Database | undefined;
  const drop = registerCleanup(async () => {
    await database?.close().catch(() => {});
    await adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  try {
    database = await openDatabase({ url: withDatabaseName(serverUrl, name), poolSize: POOL_SIZE });
    await database.migrate();
    return { database, name, drop };
  } catch (error) {
    await drop();
    throw error;
  }
}

async function adminQuery(serverUrl: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The URL of database `name` on the server at `serverUrl`. */
export function withDatabaseName(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

function redact(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Starts a private server in a temporary directory; release() stops it and removes the directory. */
async function startThrowawayServer(): Promise<PostgresServer> {
  const binDir = findPostgresBinDir();
  if (!binDir) throw new Error('no initdb/pg_ctl found on PATH or under /usr/lib/postgresql/*/bin');
  const runAs = await serverUser();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-pg-'));
  const dataDir = path.join(dir, 'data');
  let started = false;
  const release = registerCleanup(async () => {
    try {
      if (started)
        await runTool(runAs, dir, path.join(binDir, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
  try {
    if (runAs) fs.chownSync(dir, runAs.uid, runAs.gid);
    await runTool(runAs, dir, path.join(binDir, 'initdb'), [
      ...['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    ]);
    const port = await freePort();
    const serverOptions = `-h 127.0.0.1 -p ${port} -k ${dir} -c max_connections=100`;
    const logFile = path.join(dir, 'server.log');
    started = true;
    await runTool(runAs, dir, path.join(binDir, 'pg_ctl'), [
      ...['-D', dataDir, '-l', logFile, '-o', serverOptions, '-w', '-t', '30', 'start'],
    ]);
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    return {
      available: true,
      url,
      description: `throw-away server from ${binDir} on 127.0.0.1:${port}`,
      release,
    };
  } catch (error) {
    await release().catch(() => {});
    throw error;
  }
}

function findPostgresBinDir(): string | undefined {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const versioned = listDir('/usr/lib/postgresql')
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join('/usr/lib/postgresql', version, 'bin'));
  return [...onPath, ...versioned].find(
    (dir) => isExecutable(path.join(dir, 'initdb')) && isExecutable(path.join(dir, 'pg_ctl')),
  );
}

interface OsUser {
  name: string;
  uid: number;
  gid: number;
}

/** initdb refuses to run as root, so as root the server belongs to the `postgres` OS user. */
async function serverUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    return { name: 'postgres', uid, gid };
  } catch {
    throw new Error('running as root and there is no `postgres` OS user to run initdb as');
  }
}

async function runTool(runAs: OsUser | undefined, cwd: string, tool: string, args: string[]): Promise<void> {
  const [command, argv] = runAs
    ? ['su', ['-s', '/bin/sh', runAs.name, '-c', [tool, ...args].map(shellQuote).join(' ')]]
    : [tool, args];
  try {
    await run(command, argv, { cwd });
  } catch (error) {
    const output = error as { stderr?: string; stdout?: string };
    const detail = (output.stderr || output.stdout || errorText(error)).trim();
    throw new Error(`${path.basename(tool)} failed: ${detail}`);
  }
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('could not find a free port');
  return address.port;
}

const shellQuote = (word: string): string => `'${word.replaceAll("'", `'\\''`)}'`;

function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));
