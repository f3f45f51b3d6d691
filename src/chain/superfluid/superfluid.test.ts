import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Address, getAddress, type Hex } from 'viem';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Anvil, startAnvil } from '../../../test/support/anvil';
import * as TestDAI from '../contracts/TestDAI';
import * as TestUSDC from '../contracts/TestUSDC';
import { cfaV1ForwarderAbi, hostAbi, superTokenAbi } from './abi';
import {
  loadSuperfluidArtifacts,
  type PackTarball,
  packSuperfluidTarball,
  type SuperfluidArtifacts,
  superfluidContractNames,
} from './artifacts';
import {
  createWrapperSuperToken,
  deploySuperfluid,
  ERC1820_REGISTRY_ADDRESS,
  type SuperfluidFramework,
} from './deploy';

/** Super tokens count in 18 decimals; one micro-USDC (6 decimals) is 10¹² of their wei. */
const usdcScale = 10n ** 12n;
const oneUsdc = 1_000_000n;
const oneToken = 10n ** 18n;
/** SuperfluidFrameworkDeployer's liquidation period (DEFAULT_LIQUIDATION_PERIOD, 4 hours). */
const liquidationPeriod = 4n * 3600n;

/** CFAv1 §deposit: flow rate × liquidation period, rounded up to a multiple of 2³² wei. */
function bufferFor(flowRate: bigint): bigint {
  const unit = 2n ** 32n;
  return ((flowRate * liquidationPeriod + unit - 1n) / unit) * unit;
}

describe('the Superfluid framework on anvil', () => {
  let anvil: Anvil;
  let artifacts: SuperfluidArtifacts;
  let framework: SuperfluidFramework;
  let usdc: Address;
  let dai: Address;
  let usdcx: Address;
  let daix: Address;

  beforeAll(async () => {
    [anvil, artifacts] = await Promise.all([startAnvil(), loadSuperfluidArtifacts()]);
    const clients = { publicClient: anvil.publicClient, walletClient: anvil.wallet(0) };
    framework = await deploySuperfluid({ ...clients, artifacts });
    usdc = await deployToken(TestUSDC.abi, TestUSDC.bytecode);
    dai = await deployToken(TestDAI.abi, TestDAI.bytecode);
    const superTokenFactory = framework.superTokenFactory;
    usdcx = await createWrapperSuperToken({
      ...clients,
      superTokenFactory,
      underlying: usdc,
      underlyingDecimals: 6,
      name: 'Super USD Coin',
      symbol: 'USDCx',
    });
    daix = await createWrapperSuperToken({
      ...clients,
      superTokenFactory,
      underlying: dai,
      underlyingDecimals: 18,
      name: 'Super Dai Stablecoin',
      symbol: 'DAIx',
    });
  });

  /** Our test tokens take their owner, the only account that may mint, as their one constructor argument. */
  async function deployToken(abi: typeof TestUSDC.abi | typeof TestDAI.abi, bytecode: Hex): Promise<Address> {
    const owner = anvil.wallet(0);
    const receipt = await confirm(owner.deployContract({ abi, bytecode, args: [owner.account.address] }));
    return getAddress(receipt.contractAddress!);
  }

  async function confirm(sending: Promise<Hex>) {
    const receipt = await anvil.publicClient.waitForTransactionReceipt({ hash: await sending });
    expect(receipt.status).toBe('success');
    return receipt;
  }

  async function mint(token: Address, to: Address, value: bigint): Promise<void> {
    await confirm(
      anvil
        .wallet(0)
        .writeContract({ address: token, abi: TestUSDC.abi, functionName: 'mint', args: [to, value] }),
    );
  }

  function underlyingBalance(token: Address, holder: Address, blockNumber?: bigint): Promise<bigint> {
    return anvil.publicClient.readContract({
      address: token,
      abi: TestUSDC.abi,
      functionName: 'balanceOf',
      args: [holder],
      blockNumber,
    });
  }

  function superBalance(token: Address, holder: Address, blockNumber?: bigint): Promise<bigint> {
    return anvil.publicClient.readContract({
      address: token,
      abi: superTokenAbi,
      functionName: 'balanceOf',
      args: [holder],
      blockNumber,
    });
  }

  async function realtimeBalance(token: Address, holder: Address, blockNumber: bigint) {
    const [availableBalance, deposit, owedDeposit, timestamp] = await anvil.publicClient.readContract({
      address: token,
      abi: superTokenAbi,
      functionName: 'realtimeBalanceOfNow',
      args: [holder],
      blockNumber,
    });
    return { availableBalance, deposit, owedDeposit, timestamp };
  }

  /** Approves the super token for `underlyingAmount` and upgrades `amount` of super token wei with it. */
  async function wrap(walletIndex: number, superToken: Address, underlyingAmount: bigint, amount: bigint) {
    const wallet = anvil.wallet(walletIndex);
    const underlying = await anvil.publicClient.readContract({
      address: superToken,
      abi: superTokenAbi,
      functionName: 'getUnderlyingToken',
    });
    await confirm(
      wallet.writeContract({
        address: underlying,
        abi: TestUSDC.abi,
        functionName: 'approve',
        args: [superToken, underlyingAmount],
      }),
    );
    await confirm(
      wallet.writeContract({
        address: superToken,
        abi: superTokenAbi,
        functionName: 'upgrade',
        args: [amount],
      }),
    );
  }

  function unwrap(walletIndex: number, superToken: Address, amount: bigint) {
    return confirm(
      anvil.wallet(walletIndex).writeContract({
        address: superToken,
        abi: superTokenAbi,
        functionName: 'downgrade',
        args: [amount],
      }),
    );
  }

  /** Mines one empty block at `timestamp` and returns its number. */
  async function mineAt(timestamp: bigint): Promise<bigint> {
    await anvil.testClient.setNextBlockTimestamp({ timestamp });
    await anvil.testClient.mine({ blocks: 1 });
    const block = await anvil.publicClient.getBlock();
    expect(block.timestamp).toBe(timestamp);
    return block.number;
  }

  async function blockTimestamp(blockNumber: bigint): Promise<bigint> {
    return (await anvil.publicClient.getBlock({ blockNumber })).timestamp;
  }

  describe('deploySuperfluid', () => {
    it('deploys every framework contract, with the ERC-1820 registry it relies on', async () => {
      const addresses = Object.values(framework);
      expect(new Set(addresses).size).toBe(addresses.length);
      for (const address of addresses) {
        const code = await anvil.publicClient.getCode({ address });
        expect(code?.length ?? 0, `no code at ${address}`).toBeGreaterThan(2);
      }
      expect(framework.erc1820Registry).toBe(ERC1820_REGISTRY_ADDRESS);

      const host = { address: framework.host, abi: hostAbi } as const;
      const read = anvil.publicClient.readContract;
      expect(await read({ ...host, functionName: 'getSuperTokenFactory' })).toBe(framework.superTokenFactory);
      expect(await read({ ...host, functionName: 'getGovernance' })).toBe(framework.governance);
      for (const agreement of [framework.cfaV1, framework.idaV1, framework.gdaV1])
        expect(await read({ ...host, functionName: 'isAgreementClassListed', args: [agreement] })).toBe(true);
      for (const forwarder of [framework.cfaV1Forwarder, framework.gdaV1Forwarder])
        expect(await read({ ...host, functionName: 'isTrustedForwarder', args: [forwarder] })).toBe(true);
    });

    it('deploys a second framework on a chain that already has the registry', async () => {
      const registryCode = await anvil.publicClient.getCode({ address: ERC1820_REGISTRY_ADDRESS });
      const second = await deploySuperfluid({
        publicClient: anvil.publicClient,
        walletClient: anvil.wallet(9),
        artifacts,
      });
      expect(second.host).not.toBe(framework.host);
      expect(second.erc1820Registry).toBe(ERC1820_REGISTRY_ADDRESS);
      expect(await anvil.publicClient.getCode({ address: ERC1820_REGISTRY_ADDRESS })).toBe(registryCode);
    });
  });

  describe('wrapper super tokens', () => {
    it('wraps USDC into USDCx at 18 decimals and back', async () => {
      const holder = anvil.wallet(1).account.address;
      expect(
        await Promise.all(
          (['name', 'symbol', 'decimals', 'getUnderlyingToken', 'getUnderlyingDecimals'] as const).map(
            (functionName) =>
              anvil.publicClient.readContract({ address: usdcx, abi: superTokenAbi, functionName }),
          ),
        ),
      ).toEqual(['Super USD Coin', 'USDCx', 18, usdc, 6]);
      const heldBefore = await underlyingBalance(usdc, usdcx);
      await mint(usdc, holder, 1_000n * oneUsdc);

      await wrap(1, usdcx, 600n * oneUsdc, 600n * oneUsdc * usdcScale);
      expect(await underlyingBalance(usdc, holder)).toBe(400n * oneUsdc);
      expect(await superBalance(usdcx, holder)).toBe(600n * oneToken);
      expect(await underlyingBalance(usdc, usdcx)).toBe(heldBefore + 600n * oneUsdc);

      // Below one micro-USDC there is nothing to take, so the odd wei are not minted either.
      await wrap(1, usdcx, 1n, usdcScale + 999n);
      expect(await underlyingBalance(usdc, holder)).toBe(400n * oneUsdc - 1n);
      expect(await superBalance(usdcx, holder)).toBe(600n * oneToken + usdcScale);

      await unwrap(1, usdcx, 250n * oneToken + usdcScale);
      expect(await underlyingBalance(usdc, holder)).toBe(650n * oneUsdc);
      expect(await superBalance(usdcx, holder)).toBe(350n * oneToken);
      expect(await underlyingBalance(usdc, usdcx)).toBe(heldBefore + 350n * oneUsdc);
    });

    it('wraps DAI into DAIx one to one and back', async () => {
      const holder = anvil.wallet(2).account.address;
      expect(
        await anvil.publicClient.readContract({
          address: daix,
          abi: superTokenAbi,
          functionName: 'getUnderlyingToken',
        }),
      ).toBe(dai);
      await mint(dai, holder, 100n * oneToken);

      await wrap(2, daix, 40n * oneToken + 7n, 40n * oneToken + 7n);
      expect(await underlyingBalance(dai, holder)).toBe(60n * oneToken - 7n);
      expect(await superBalance(daix, holder)).toBe(40n * oneToken + 7n);

      await unwrap(2, daix, 15n * oneToken + 3n);
      expect(await underlyingBalance(dai, holder)).toBe(75n * oneToken - 4n);
      expect(await superBalance(daix, holder)).toBe(25n * oneToken + 4n);
      expect(await underlyingBalance(dai, daix)).toBe(25n * oneToken + 4n);
    });
  });

  describe('a constant flow through the CFAv1 forwarder', () => {
    it('streams USDCx by the second, to the wei, until it is deleted', async () => {
      const senderIndex = 3;
      const sender = anvil.wallet(senderIndex).account.address;
      const receiver = anvil.wallet(4).account.address;
      const forwarder = { address: framework.cfaV1Forwarder, abi: cfaV1ForwarderAbi } as const;
      const read = anvil.publicClient.readContract;
      const wrapped = 1_000n * oneToken;
      await mint(usdc, sender, 1_000n * oneUsdc);
      await wrap(senderIndex, usdcx, 1_000n * oneUsdc, wrapped);

      const send = (
        functionName: 'createFlow' | 'updateFlow' | 'deleteFlow',
        flowRate: bigint,
      ): Promise<Hex> => {
        const wallet = anvil.wallet(senderIndex);
        if (functionName === 'deleteFlow')
          return wallet.writeContract({ ...forwarder, functionName, args: [usdcx, sender, receiver, '0x'] });
        return wallet.writeContract({
          ...forwarder,
          functionName,
          args: [usdcx, sender, receiver, flowRate, '0x'],
        });
      };
      const balances = async (blockNumber: bigint) => ({
        sender: await realtimeBalance(usdcx, sender, blockNumber),
        receiver: await realtimeBalance(usdcx, receiver, blockNumber),
      });
      const noFlow = (availableBalance: bigint, timestamp: bigint) => ({
        availableBalance,
        deposit: 0n,
        owedDeposit: 0n,
        timestamp,
      });

      // About 1 000 USDCx a month.
      const firstRate = 385_802_469_135_802n;
      const created = await confirm(send('createFlow', firstRate));
      const createdAt = await blockTimestamp(created.blockNumber);
      const firstBuffer = bufferFor(firstRate);
      expect(
        await read({ ...forwarder, functionName: 'getBufferAmountByFlowrate', args: [usdcx, firstRate] }),
      ).toBe(firstBuffer);
      expect(
        await read({ ...forwarder, functionName: 'getFlowInfo', args: [usdcx, sender, receiver] }),
      ).toEqual([createdAt, firstRate, firstBuffer, 0n]);
      expect(await read({ ...forwarder, functionName: 'getAccountFlowrate', args: [usdcx, sender] })).toBe(
        -firstRate,
      );
      expect(await read({ ...forwarder, functionName: 'getAccountFlowrate', args: [usdcx, receiver] })).toBe(
        firstRate,
      );
      expect(await balances(created.blockNumber)).toEqual({
        sender: {
          availableBalance: wrapped - firstBuffer,
          deposit: firstBuffer,
          owedDeposit: 0n,
          timestamp: createdAt,
        },
        receiver: noFlow(0n, createdAt),
      });

      const anHourLater = await mineAt(createdAt + 3_600n);
      expect(await balances(anHourLater)).toEqual({
        sender: {
          availableBalance: wrapped - firstRate * 3_600n - firstBuffer,
          deposit: firstBuffer,
          owedDeposit: 0n,
          timestamp: createdAt + 3_600n,
        },
        receiver: noFlow(firstRate * 3_600n, createdAt + 3_600n),
      });
      expect(await superBalance(usdcx, receiver, anHourLater)).toBe(firstRate * 3_600n);

      const secondRate = 2n * firstRate + 12_345n;
      const secondBuffer = bufferFor(secondRate);
      await anvil.testClient.setNextBlockTimestamp({ timestamp: createdAt + 7_200n });
      const updated = await confirm(send('updateFlow', secondRate));
      const updatedAt = await blockTimestamp(updated.blockNumber);
      expect(updatedAt).toBe(createdAt + 7_200n);
      const streamedBeforeUpdate = firstRate * 7_200n;
      expect(await read({ ...forwarder, functionName: 'getFlowrate', args: [usdcx, sender, receiver] })).toBe(
        secondRate,
      );
      expect(await balances(updated.blockNumber)).toEqual({
        sender: {
          availableBalance: wrapped - streamedBeforeUpdate - secondBuffer,
          deposit: secondBuffer,
          owedDeposit: 0n,
          timestamp: updatedAt,
        },
        receiver: noFlow(streamedBeforeUpdate, updatedAt),
      });

      const halfAnHourOn = await mineAt(updatedAt + 1_800n);
      expect(await balances(halfAnHourOn)).toEqual({
        sender: {
          availableBalance: wrapped - streamedBeforeUpdate - secondRate * 1_800n - secondBuffer,
          deposit: secondBuffer,
          owedDeposit: 0n,
          timestamp: updatedAt + 1_800n,
        },
        receiver: noFlow(streamedBeforeUpdate + secondRate * 1_800n, updatedAt + 1_800n),
      });

      await anvil.testClient.setNextBlockTimestamp({ timestamp: updatedAt + 5_400n });
      const deleted = await confirm(send('deleteFlow', 0n));
      expect(await blockTimestamp(deleted.blockNumber)).toBe(updatedAt + 5_400n);
      const streamed = streamedBeforeUpdate + secondRate * 5_400n;
      expect(await read({ ...forwarder, functionName: 'getFlowrate', args: [usdcx, sender, receiver] })).toBe(
        0n,
      );
      expect(await read({ ...forwarder, functionName: 'getAccountFlowrate', args: [usdcx, sender] })).toBe(
        0n,
      );
      expect(await balances(deleted.blockNumber)).toEqual({
        sender: noFlow(wrapped - streamed, updatedAt + 5_400n),
        receiver: noFlow(streamed, updatedAt + 5_400n),
      });

      const aDayLater = await mineAt(updatedAt + 5_400n + 86_400n);
      expect(await balances(aDayLater)).toEqual({
        sender: noFlow(wrapped - streamed, updatedAt + 5_400n + 86_400n),
        receiver: noFlow(streamed, updatedAt + 5_400n + 86_400n),
      });

      // Unwrapping pays whole micro-USDC; the wei below one stay as USDCx.
      const heldBefore = await underlyingBalance(usdc, usdcx);
      await unwrap(4, usdcx, streamed);
      await unwrap(senderIndex, usdcx, wrapped - streamed);
      expect(await underlyingBalance(usdc, receiver)).toBe(streamed / usdcScale);
      expect(await underlyingBalance(usdc, sender)).toBe((wrapped - streamed) / usdcScale);
      expect(await superBalance(usdcx, receiver)).toBe(streamed % usdcScale);
      expect(await superBalance(usdcx, sender)).toBe((wrapped - streamed) % usdcScale);
      expect(await underlyingBalance(usdc, usdcx)).toBe(
        heldBefore - streamed / usdcScale - (wrapped - streamed) / usdcScale,
      );
    });
  });
});

describe('loadSuperfluidArtifacts', () => {
  let workDir: string;
  let tarball: string;

  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), 'superfluid-artifacts-test-'));
    await mkdir(path.join(workDir, 'pack'));
    tarball = await packSuperfluidTarball(path.join(workDir, 'pack'));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  afterAll(async () => {
    await rm(workDir, { recursive: true, force: true });
  });

  const cachedFiles = [
    ...superfluidContractNames.map((name) => `${name}.json`),
    'ERC1820Registry.json',
  ].sort();

  /** Hands the loader a copy of `source`, recording the folders it was asked to pack into. */
  function copyingPacker(source: string, folders: string[] = []): PackTarball {
    return async (folder) => {
      folders.push(folder);
      const copy = path.join(folder, 'package.tgz');
      await copyFile(source, copy);
      return copy;
    };
  }

  const refusingPacker: PackTarball = () => {
    throw new Error('the cache should have been used');
  };

  it('builds the cache once when several callers race for it, leaving nothing half-written', async () => {
    const cacheDir = path.join(workDir, 'race', 'superfluid');
    const folders: string[] = [];
    const packTarball = copyingPacker(tarball, folders);

    const [first, ...others] = await Promise.all(
      [1, 2, 3].map(() => loadSuperfluidArtifacts({ cacheDir, packTarball })),
    );

    expect(folders).toHaveLength(3);
    for (const other of others) expect(other).toEqual(first);
    expect((await readdir(cacheDir)).sort()).toEqual(cachedFiles);
    expect(await readdir(path.dirname(cacheDir))).toEqual(['superfluid']);
    for (const folder of folders) expect(existsSync(folder), folder).toBe(false);

    const deployer = first!.contracts.SuperfluidFrameworkDeployer;
    const linked = Object.values(deployer.linkReferences).flatMap((libraries) => Object.keys(libraries));
    expect(linked).toHaveLength(14);
    expect(deployer.bytecode).toMatch(/__\$[0-9a-f]{34}\$__/);
    const stored = JSON.parse(
      await readFile(path.join(cacheDir, 'SuperfluidFrameworkDeployer.json'), 'utf8'),
    );
    expect(Object.keys(stored).sort()).toEqual(['abi', 'bytecode', 'linkReferences']);
  });

  it('reuses a filled cache, named by option or by TALLY_SUPERFLUID_CACHE, without packing again', async () => {
    const cacheDir = path.join(workDir, 'reuse');
    const first = await loadSuperfluidArtifacts({ cacheDir, packTarball: copyingPacker(tarball) });
    const modified = async () =>
      Promise.all(
        (await readdir(cacheDir)).map(async (file) => (await stat(path.join(cacheDir, file))).mtimeMs),
      );
    const modifiedBefore = await modified();

    expect(await loadSuperfluidArtifacts({ cacheDir, packTarball: refusingPacker })).toEqual(first);
    vi.stubEnv('TALLY_SUPERFLUID_CACHE', cacheDir);
    expect(await loadSuperfluidArtifacts({ packTarball: refusingPacker })).toEqual(first);
    expect(await modified()).toEqual(modifiedBefore);
  });

  it('refuses a tarball whose integrity is not the pinned one', async () => {
    const cacheDir = path.join(workDir, 'tampered', 'superfluid');
    const bytes = await readFile(tarball);
    bytes[bytes.length - 1]! ^= 1;
    const tampered = path.join(workDir, 'tampered.tgz');
    await writeFile(tampered, bytes);

    await expect(loadSuperfluidArtifacts({ cacheDir, packTarball: copyingPacker(tampered) })).rejects.toThrow(
      /^Refusing the @superfluid-finance\/ethereum-contracts@1\.15\.2 tarball: its integrity is sha512-\S+, not the pinned sha512-pvNZ/,
    );
    expect(await readdir(path.dirname(cacheDir))).toEqual([]);
  });

  it('says what to run by hand when npm pack fails', async () => {
    const cacheDir = path.join(workDir, 'offline', 'superfluid');
    // An empty npm cache and a registry nobody listens on: npm pack fails at once, as it would offline.
    vi.stubEnv('npm_config_cache', await mkdtemp(path.join(workDir, 'npm-cache-')));
    vi.stubEnv('npm_config_registry', 'http://127.0.0.1:9/');
    vi.stubEnv('npm_config_fetch_retries', '0');

    await expect(loadSuperfluidArtifacts({ cacheDir })).rejects.toThrow(
      'Run "npm pack @superfluid-finance/ethereum-contracts@1.15.2" by hand',
    );
    expect(await readdir(path.dirname(cacheDir))).toEqual([]);
  });
});
