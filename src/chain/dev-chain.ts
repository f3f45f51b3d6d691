import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { gunzipSync } from 'node:zlib';
import { writeFileAtomically } from '../core/secret-file';

/**
 * The embedded development chain: a real anvil node (from its npm package) on 127.0.0.1, started
 * by Tally when no RPC URL is configured. With a state file the chain survives restarts: anvil
 * loads it at start, and Tally writes it every few seconds and again when it stops.
 */

export const DEV_CHAIN_ID = 31337;

export interface DevChainOptions {
  /** Keep the chain in this file across restarts; none means a fresh chain every time. */
  stateFile?: string;
  /** Port to listen on; 0 (the default) lets the system choose a free one. */
  port?: number;
  chainId?: number;
  /** Seconds between state writes, so a crash loses at most this much. */
  stateIntervalSeconds?: number;
}

export interface DevChain {
  rpcUrl: string;
  chainId: number;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 20_000;

/** The anvil binary shipped by the npm package for this platform. */
export function anvilBinary(): string {
  const platforms: Record<string, string> = {
    'linux-x64': 'linux-amd64',
    'linux-arm64': 'linux-arm64',
    'darwin-x64': 'darwin-amd64',
    'darwin-arm64': 'darwin-arm64',
  };
  const target = platforms[`${process.platform}-${process.arch}`];
  if (!target)
    throw new Error(`anvil has no npm build for ${process.platform}-${process.arch}; set CHAIN_RPC_URL`);
  const require = createRequire(import.meta.url);
  const packageJson = require.resolve(`@foundry-rs/anvil-${target}/package.json`);
  return path.join(path.dirname(packageJson), 'bin', 'anvil');
}

/**
 * Runs anvil under a small shell that holds our end of a pipe on its standard input: when Tally
 * stops, or dies by any signal (SIGKILL included), the pipe ends and the shell stops anvil. A chain
 * never outlives the process that started it, so a restart never finds a second anvil writing.
 */
const WATCHDOG = `"$0" "$@" < /dev/null &
anvil=$!
while read -r _; do :; done
kill -INT "$anvil" 2>/dev/null
wait "$anvil"`;

export async function startDevChain(options: DevChainOptions = {}): Promise<DevChain> {
  const chainId = options.chainId ?? DEV_CHAIN_ID;
  const args = [
    '--host',
    '127.0.0.1',
    '--port',
    String(options.port ?? 0),
    '--chain-id',
    String(chainId),
    // Superfluid's framework contracts are larger than mainnet's 24 KiB limit.
    '--disable-code-size-limit',
  ];
  const { stateFile } = options;
  if (stateFile) {
    fs.mkdirSync(path.dirname(stateFile), { recursive: true });
    if (fs.existsSync(stateFile)) {
      checkStateFile(stateFile);
      args.push('--load-state', stateFile);
    }
  }
  const child = spawn('sh', ['-c', WATCHDOG, anvilBinary(), ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  const port = await listeningPort(child);
  const rpcUrl = `http://127.0.0.1:${port}`;
  // Anvil's own state writes are not atomic (a crash mid-write left a file it cannot load): Tally asks
  // for the state and writes it itself, to a temporary file renamed over the old one.
  const saver = stateFile ? new StateSaver(rpcUrl, stateFile) : undefined;
  const timer = saver
    ? setInterval(() => void saver.save().catch(() => {}), (options.stateIntervalSeconds ?? 5) * 1000)
    : undefined;
  timer?.unref();
  return {
    rpcUrl,
    chainId,
    stop: async () => {
      clearInterval(timer);
      await saver?.save().catch(() => {});
      await stopProcess(child);
    },
  };
}

/** A state file anvil cannot read stops the start here, named, rather than inside anvil. */
function checkStateFile(file: string): void {
  try {
    JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(
      `the embedded chain's state file ${file} cannot be read (${(error as Error).message}): ` +
        'move it away to start a new chain',
    );
  }
}

class StateSaver {
  private saving: Promise<void> | undefined;

  constructor(
    private readonly rpcUrl: string,
    private readonly file: string,
  ) {}

  /** One save at a time; a call during a save waits for it and saves again. */
  async save(): Promise<void> {
    while (this.saving) await this.saving;
    this.saving = this.write().finally(() => {
      this.saving = undefined;
    });
    return this.saving;
  }

  private async write(): Promise<void> {
    const response = await fetch(this.rpcUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'anvil_dumpState', params: [] }),
    });
    const { result } = (await response.json()) as { result?: string };
    if (typeof result !== 'string') throw new Error('anvil gave no state');
    // Anvil answers with its state gzipped, as hex; --load-state reads the JSON inside.
    const json = gunzipSync(Buffer.from(result.slice(2), 'hex'));
    writeFileAtomically(this.file, json);
  }
}

/** Reads anvil's output until it says where it listens. */
function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`anvil did not start within ${STARTUP_TIMEOUT_MS} ms:\n${output.slice(-2000)}`));
    }, STARTUP_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`anvil exited with code ${code} before listening:\n${output.slice(-2000)}`));
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      output += `${line}\n`;
      const match = /Listening on [\d.]+:(\d+)/.exec(line);
      if (match?.[1]) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        // Keep draining anvil's output so its pipe never fills and blocks it.
        lines.removeAllListeners('line');
        lines.on('line', () => {});
        resolve(Number(match[1]));
      }
    });
  });
}

/** Ends the watchdog's pipe (the shell then stops anvil), and kills both if they do not go. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.stdin?.end();
  });
}
