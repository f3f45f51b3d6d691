import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestClient, http, parseEther, publicActions } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
import { readOrCreateSecretFile } from '../core/secret-file';
import { type DevChain, startDevChain } from './dev-chain';

const chains: DevChain[] = [];
const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-chain-'));

afterAll(async () => {
  for (const chain of chains) await chain.stop();
  fs.rmSync(folder, { recursive: true, force: true });
});

async function start(stateFile?: string): Promise<DevChain> {
  const chain = await startDevChain({ stateFile });
  chains.push(chain);
  return chain;
}

const clientFor = (chain: DevChain) =>
  createTestClient({ chain: foundry, mode: 'anvil', transport: http(chain.rpcUrl), cacheTime: 0 }).extend(
    publicActions,
  );

describe('the embedded development chain', () => {
  it('runs a real node on a free port of 127.0.0.1 with the development chain id', async () => {
    const chain = await start();
    expect(chain.rpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = clientFor(chain);
    expect(await client.getChainId()).toBe(31337);
    await client.mine({ blocks: 3 });
    expect(await client.getBlockNumber()).toBe(3n);
  });

  it('keeps its state across a restart when given a state file', async () => {
    const stateFile = path.join(folder, 'chain.json');
    const first = await start(stateFile);
    const address = '0x00000000000000000000000000000000000a11ce';
    await clientFor(first).setBalance({ address, value: parseEther('12.5') });
    await clientFor(first).mine({ blocks: 2 });
    await first.stop();
    expect(fs.existsSync(stateFile)).toBe(true);

    const second = await start(stateFile);
    expect(second.rpcUrl).not.toBe('');
    expect(await clientFor(second).getBalance({ address })).toBe(parseEther('12.5'));
    expect(await clientFor(second).getBlockNumber()).toBeGreaterThanOrEqual(2n);
  });

  it('starts fresh without a state file', async () => {
    const chain = await start();
    expect(await clientFor(chain).getBalance({ address: '0x00000000000000000000000000000000000a11ce' })).toBe(
      0n,
    );
  });

  it('dies with the process that started it, and leaves a state file the next start reads', async () => {
    const stateFile = path.join(folder, 'killed.json');
    const holder = path.resolve('test/support/dev-chain-holder.ts');
    // Node itself with tsx as a loader: SIGKILL must hit the process that started the chain.
    const child = spawn(process.execPath, ['--import', 'tsx', holder, stateFile], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const rpcUrl = await new Promise<string>((resolve, reject) => {
      child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      child.once('exit', (code) => reject(new Error(`the holder exited with ${code}`)));
    });
    const savedBlock = () => {
      try {
        return BigInt(JSON.parse(fs.readFileSync(stateFile, 'utf8')).block.number);
      } catch {
        return -1n;
      }
    };
    for (let i = 0; i < 100 && savedBlock() < 5n; i++) await new Promise((r) => setTimeout(r, 100));
    expect(savedBlock()).toBe(5n);

    child.kill('SIGKILL');
    const answers = async () =>
      fetch(rpcUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_blockNumber', params: [] }),
      }).then(
        () => true,
        () => false,
      );
    let alive = true;
    for (let i = 0; i < 100 && alive; i++) {
      alive = await answers();
      if (alive) await new Promise((r) => setTimeout(r, 100));
    }
    expect(alive).toBe(false);

    const restarted = await start(stateFile);
    expect(await clientFor(restarted).getBlockNumber()).toBe(5n);
  });

  it('refuses a state file it cannot read, naming it', async () => {
    const stateFile = path.join(folder, 'torn.json');
    fs.writeFileSync(stateFile, '{"block":{"number":"0x');
    await expect(startDevChain({ stateFile })).rejects.toThrow(
      `the embedded chain's state file ${stateFile} cannot be read`,
    );
  });
});

describe('a secret file', () => {
  it('is made once, whole, readable by its owner only, and the same for every later caller', () => {
    const file = path.join(folder, 'secrets', 'key');
    let made = 0;
    const generate = () => `secret-${++made}`;
    expect(readOrCreateSecretFile(file, generate)).toBe('secret-1');
    expect(readOrCreateSecretFile(file, generate)).toBe('secret-1');
    expect(made).toBe(1);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['key']);
  });

  it('replaces an empty file a crash left behind', () => {
    const file = path.join(folder, 'empty-key');
    fs.writeFileSync(file, '');
    expect(readOrCreateSecretFile(file, () => 'fresh')).toBe('fresh');
    expect(fs.readFileSync(file, 'utf8')).toBe('fresh\n');
  });
});
