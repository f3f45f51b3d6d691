import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Address, erc20Abi, getAddress, type Hex } from 'viem';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { startAnvil } from '../../test/support/anvil';
import { loadConfig } from '../core/config';
import { silentLogger } from '../core/log';
import { createChainClient } from './client';
import { chainCommand } from './commands';
import * as EncryptedCredits from './contracts/EncryptedCredits';
import * as TestUSDC from './contracts/TestUSDC';
import { deployContract } from './deployment';
import { devAccounts, openChain } from './runtime';
import { deployEncryptedCredits } from './zk/encrypted-credits';
import { auditorKeyOf } from './zk/operator';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-chain-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('the embedded chain', () => {
  it('deploys everything once, funds the development accounts, and continues the same chain after a restart', async () => {
    const settings = loadConfig({ TALLY_HOME: home }).chain;
    const first = await openChain(settings, silentLogger);
    const { deployment, treasury } = first;
    expect(Object.keys(deployment.tokens)).toEqual(['USDC', 'DAI', 'USDCx', 'DAIx']);
    expect(deployment.superfluid?.host).toMatch(/^0x[0-9a-fA-F]{40}$/);
    // The gateway's encrypted credits, operated by the treasury under the key its signature gives.
    const credits = deployment.encryptedCredits!.contract;
    const [operator, auditorKey] = await Promise.all([
      first.client.publicClient.readContract({
        address: credits,
        abi: EncryptedCredits.abi,
        functionName: 'operator',
      }),
      first.client.publicClient.readContract({
        address: credits,
        abi: EncryptedCredits.abi,
        functionName: 'auditorKey',
      }),
    ]);
    expect(operator).toBe(treasury.address);
    expect(auditorKey).toEqual((await auditorKeyOf(treasury)).publicKey);
    const developer = devAccounts()[3]?.address as `0x${string}`;
    const usdc = deployment.tokens.USDC.address;
    const balance = () =>
      first.client.publicClient.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [developer],
      });
    expect(await balance()).toBe(10_000n * 10n ** 6n);
    const head = await first.client.publicClient.getBlockNumber();
    const genesis = (await first.client.publicClient.getBlock({ blockNumber: 0n })).hash;
    await first.stop();

    const second = await openChain(settings, silentLogger);
    try {
      expect(second.deployment).toEqual(deployment);
      expect(second.treasury.address).toBe(treasury.address);
      expect(await second.client.publicClient.getBlockNumber()).toBe(head);
      // The same chain, as the database's record of it says (binding.ts): the same genesis block.
      expect((await second.client.publicClient.getBlock({ blockNumber: 0n })).hash).toBe(genesis);
      const kept = await second.client.publicClient.readContract({
        address: usdc,
        abi: erc20Abi,
        functionName: 'balanceOf',
        args: [developer],
      });
      expect(kept).toBe(10_000n * 10n ** 6n);
      expect(fs.statSync(path.join(home, 'chain', 'treasury-key')).mode & 0o777).toBe(0o600);
    } finally {
      await second.stop();
    }
  });

  it('deploys afresh when its chain was wiped but the remembered addresses were not', async () => {
    const settings = loadConfig({ TALLY_HOME: home }).chain;
    fs.rmSync(path.join(home, 'chain', 'anvil-state.json'));
    const chain = await openChain(settings, silentLogger);
    try {
      // Nothing would be there had the remembered addresses been trusted without looking.
      const code = await chain.client.publicClient.getCode({ address: chain.deployment.tokens.USDC.address });
      expect(code?.length).toBeGreaterThan(2);
      expect(JSON.parse(fs.readFileSync(path.join(home, 'chain', 'deployment.json'), 'utf8'))).toEqual(
        chain.deployment,
      );
    } finally {
      await chain.stop();
    }
  });
});

describe('a configured chain', () => {
  it('reads the configured tokens, and refuses a wrong chain id or an address without a contract', async () => {
    const anvil = await startAnvil();
    const client = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: 31337 });
    const usdc = await deployContract(client, anvil.wallet(1), TestUSDC, [anvil.wallet(1).account.address]);
    const env = {
      CHAIN_RPC_URL: anvil.rpcUrl,
      CHAIN_ID: '31337',
      CHAIN_NAME: 'Staging',
      CHAIN_NATIVE_SYMBOL: 'AVAX',
      TREASURY_PRIVATE_KEY: generatePrivateKey(),
      USDC_ADDRESS: usdc,
    };
    const chain = await openChain(loadConfig(env).chain, silentLogger);
    expect(chain.client.dev).toBe(false);
    expect(chain.client.chain.name).toBe('Staging');
    expect(chain.client.chain.nativeCurrency.symbol).toBe('AVAX');
    expect(chain.deployment).toEqual({
      chainId: 31337,
      tokens: { USDC: { symbol: 'USDC', name: 'USD Coin', address: usdc, decimals: 6 } },
    });
    await expect(openChain(loadConfig({ ...env, CHAIN_ID: '43113' }).chain, silentLogger)).rejects.toThrow(
      'CHAIN_RPC_URL serves chain 31337, but CHAIN_ID says 43113',
    );
    const nothing = `0x${'42'.repeat(20)}`;
    await expect(openChain(loadConfig({ ...env, DAI_ADDRESS: nothing }).chain, silentLogger)).rejects.toThrow(
      /DAI address 0x4242.* has no contract on chain 31337/,
    );

    // Encrypted credits operated by this treasury under its auditor key are taken; any other are refused.
    const treasury = privateKeyToAccount(env.TREASURY_PRIVATE_KEY as Hex);
    const deploy = (operator: Address, auditorKey: { x: bigint; y: bigint }) =>
      deployEncryptedCredits(anvil.wallet(1), anvil.publicClient, { usdc, operator, auditorKey });
    // `tally chain deploy-encrypted-credits` deploys them as the treasury and prints the address to set.
    await anvil.testClient.setBalance({ address: treasury.address, value: 10n ** 18n });
    const printed = vi.spyOn(console, 'log').mockImplementation(() => {});
    const deployed = await chainCommand.run(['deploy-encrypted-credits'], {
      config: loadConfig(env),
      withDatabase: () => Promise.reject(new Error('no database is needed')),
    });
    expect(deployed).toBe(0);
    const line = printed.mock.calls
      .map((call) => String(call[0]))
      .find((text) => text.startsWith('ENCRYPTED_CREDITS_ADDRESS='));
    printed.mockRestore();
    const ours = { contract: getAddress(line!.slice('ENCRYPTED_CREDITS_ADDRESS='.length)) };
    const configured = await openChain(
      loadConfig({ ...env, ENCRYPTED_CREDITS_ADDRESS: ours.contract }).chain,
      silentLogger,
    );
    expect(configured.deployment.encryptedCredits?.contract).toBe(ours.contract);
    const otherOperator = await deploy(
      anvil.wallet(2).account.address,
      (await auditorKeyOf(treasury)).publicKey,
    );
    await expect(
      openChain(
        loadConfig({ ...env, ENCRYPTED_CREDITS_ADDRESS: otherOperator.contract }).chain,
        silentLogger,
      ),
    ).rejects.toThrow(/is operated by 0x.*, not the treasury/);
    const otherAuditor = await deploy(
      treasury.address,
      (await auditorKeyOf(privateKeyToAccount(generatePrivateKey()))).publicKey,
    );
    await expect(
      openChain(loadConfig({ ...env, ENCRYPTED_CREDITS_ADDRESS: otherAuditor.contract }).chain, silentLogger),
    ).rejects.toThrow(/another auditor key/);
  });
});
