import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';

/**
 * The embedded development chain: a real anvil node (from its npm package) on 127.0.0.1, started
 * by Tally when no RPC URL is configured. With a state file the chain survives restarts: anvil
 * loads it at start, writes it every few seconds and again when it stops.
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
  if (options.stateFile) {
    fs.mkdirSync(path.dirname(options.stateFile), { recursive: true });
    args.push('--state', options.stateFile, '--state-interval', String(options.stateIntervalSeconds ?? 5));
  }
  const child = spawn(anvilBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await listeningPort(child);
  return {
    rpcUrl: `http://127.0.0.1:${port}`,
    chainId,
    stop: () => stopProcess(child),
  };
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

/** Asks anvil to stop (it writes its state on the way out), and kills it if it does not. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}
