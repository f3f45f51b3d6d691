import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestClient, http, parseEther, publicActions } from 'viem';
import { foundry } from 'viem/chains';
import { afterAll, describe, expect, it } from 'vitest';
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
});
