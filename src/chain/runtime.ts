import path from 'node:path';
import {
  type Account,
  type Address,
  type Chain,
  createTestClient,
  createWalletClient,
  getAddress,
  http,
  type Transport,
  type WalletClient,
} from 'viem';
import {
  generatePrivateKey,
  mnemonicToAccount,
  type PrivateKeyAccount,
  privateKeyToAccount,
} from 'viem/accounts';
import type { ChainSettings } from '../core/config';
import type { Logger } from '../core/log';
import { readOrCreateSecretFile } from '../core/secret-file';
import { type ChainClient, createChainClient } from './client';
import * as EncryptedCredits from './contracts/EncryptedCredits';
import * as TestUSDC from './contracts/TestUSDC';
import {
  type ChainDeployment,
  deploymentIsLive,
  deployTestTokens,
  describeToken,
  type EncryptedCreditsAddresses,
  readDeploymentFile,
  type TokenInfo,
  writeDeploymentFile,
} from './deployment';
import { DEV_CHAIN_ID, startDevChain } from './dev-chain';
import { loadSuperfluidArtifacts } from './superfluid/artifacts';
import { createWrapperSuperToken, deploySuperfluid } from './superfluid/deploy';
import { deployEncryptedCredits } from './zk/encrypted-credits';
import { auditorKeyOf } from './zk/operator';

/** The chain one Tally process runs on: its connection, the treasury key and the contracts it uses. */
export interface ChainRuntime {
  client: ChainClient;
  settings: ChainSettings;
  treasury: PrivateKeyAccount;
  deployment: ChainDeployment;
  /** Where followers start reading when they have no cursor yet. */
  startBlock?: bigint;
  stop(): Promise<void>;
}

/** Anvil's well-known development mnemonic: its accounts start with ETH, and Tally gives them tokens. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';
export const DEV_ACCOUNT_COUNT = 10;
/** What each development account is given when the embedded chain is first deployed, in whole tokens. */
const DEV_ACCOUNT_TOKENS = 10_000n;
const TREASURY_DEV_ETH = 10_000n * 10n ** 18n;

export async function openChain(settings: ChainSettings, log: Logger): Promise<ChainRuntime> {
  return settings.mode === 'embedded' ? openEmbeddedChain(settings, log) : openExternalChain(settings, log);
}

async function openExternalChain(
  settings: Extract<ChainSettings, { mode: 'external' }>,
  log: Logger,
): Promise<ChainRuntime> {
  const client = createChainClient({
    rpcUrl: settings.rpcUrl,
    chainId: settings.chainId,
    name: settings.name,
    nativeSymbol: settings.nativeSymbol,
  });
  const reported = await client.publicClient.getChainId();
  if (reported !== settings.chainId) {
    throw new Error(`CHAIN_RPC_URL serves chain ${reported}, but CHAIN_ID says ${settings.chainId}`);
  }
  const { addresses } = settings;
  const tokens: ChainDeployment['tokens'] = { USDC: await describeToken(client, 'USDC', addresses.usdc) };
  if (addresses.dai) tokens.DAI = await describeToken(client, 'DAI', addresses.dai);
  if (addresses.usdcx) tokens.USDCx = await describeToken(client, 'USDCx', addresses.usdcx, 'USDC');
  if (addresses.daix) tokens.DAIx = await describeToken(client, 'DAIx', addresses.daix, 'DAI');
  const treasury = privateKeyToAccount(settings.treasuryPrivateKey);
  const deployment: ChainDeployment = {
    chainId: settings.chainId,
    tokens,
    ...(addresses.superfluidHost && addresses.cfaForwarder
      ? { superfluid: { host: addresses.superfluidHost, cfaV1Forwarder: addresses.cfaForwarder } }
      : {}),
    ...(addresses.encryptedCredits
      ? {
          encryptedCredits: await describeEncryptedCredits(
            client,
            addresses.encryptedCredits,
            treasury,
            tokens.USDC,
          ),
        }
      : {}),
  };
  log.info({ chainId: settings.chainId, treasury: treasury.address }, 'chain connected');
  return {
    client,
    settings,
    treasury,
    deployment,
    startBlock: settings.startBlock,
    stop: async () => {},
  };
}

async function openEmbeddedChain(
  settings: Extract<ChainSettings, { mode: 'embedded' }>,
  log: Logger,
): Promise<ChainRuntime> {
  const devChain = await startDevChain({ stateFile: path.join(settings.dir, 'anvil-state.json') });
  try {
    const client = createChainClient({ rpcUrl: devChain.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
    const treasuryKey = readOrCreateSecretFile(path.join(settings.dir, 'treasury-key'), generatePrivateKey);
    const treasury = privateKeyToAccount(treasuryKey as `0x${string}`);
    const deploymentFile = path.join(settings.dir, 'deployment.json');
    const remembered = readDeploymentFile(deploymentFile);
    let deployment: ChainDeployment;
    if (remembered && (await deploymentIsLive(client, remembered))) {
      deployment = remembered;
      // A chain deployed before the gateway's encrypted credits existed gets them now.
      if (!deployment.encryptedCredits) {
        deployment = {
          ...deployment,
          encryptedCredits: await deployOperatorCredits(client, treasury, deployment),
        };
        writeDeploymentFile(deploymentFile, deployment);
      }
    } else {
      const started = performance.now();
      deployment = await deployDevelopmentChain(client, treasury);
      writeDeploymentFile(deploymentFile, deployment);
      log.info({ ms: Math.round(performance.now() - started) }, 'development chain deployed');
    }
    log.info({ rpcUrl: devChain.rpcUrl, treasury: treasury.address }, 'development chain running');
    return { client, settings, treasury, deployment, startBlock: 0n, stop: () => devChain.stop() };
  } catch (error) {
    await devChain.stop();
    throw error;
  }
}

export function walletFor(client: ChainClient, account: Account): WalletClient<Transport, Chain, Account> {
  return createWalletClient({
    account,
    chain: client.chain,
    transport: http(client.rpcUrl),
    ...(client.dev ? { cacheTime: 0, pollingInterval: 10 } : {}),
  });
}

/** Anvil's own methods (set balances, move time): for the embedded chain only. */
export function devChainControls(client: ChainClient) {
  if (!client.dev) throw new Error('chain controls exist only on the development chain');
  return createTestClient({
    chain: client.chain,
    mode: 'anvil',
    transport: http(client.rpcUrl),
    cacheTime: 0,
  });
}

/** The development accounts: anvil's funded mnemonic accounts, offered to people trying Tally out. */
export const devAccounts = () =>
  Array.from({ length: DEV_ACCOUNT_COUNT }, (_, index) =>
    mnemonicToAccount(DEV_MNEMONIC, { addressIndex: index }),
  );

/**
 * Everything the embedded chain needs, deployed by the treasury (so it owns the test tokens' mint):
 * the tokens, the Superfluid framework with a wrapper super token for each, and each development
 * account funded with the tokens.
 */
export async function deployDevelopmentChain(
  client: ChainClient,
  treasury: PrivateKeyAccount,
): Promise<ChainDeployment> {
  await devChainControls(client).setBalance({ address: treasury.address, value: TREASURY_DEV_ETH });
  const wallet = walletFor(client, treasury);
  const tokens: ChainDeployment['tokens'] = await deployTestTokens(client, wallet);
  const clients = { publicClient: client.publicClient, walletClient: wallet };
  const superfluid = await deploySuperfluid({ ...clients, artifacts: await loadSuperfluidArtifacts() });
  for (const [symbol, underlying] of [
    ['USDCx', tokens.USDC],
    ['DAIx', tokens.DAI],
  ] as const) {
    if (!underlying) continue;
    const address = await createWrapperSuperToken({
      ...clients,
      superTokenFactory: superfluid.superTokenFactory,
      underlying: underlying.address,
      underlyingDecimals: underlying.decimals,
      name: `Super ${underlying.name}`,
      symbol,
    });
    // Super tokens always count in 18 decimals, whatever they wrap.
    tokens[symbol] = {
      symbol,
      name: `Super ${underlying.name}`,
      address,
      decimals: 18,
      underlying: underlying.symbol,
    };
  }
  for (const account of devAccounts()) {
    for (const token of [tokens.USDC, tokens.DAI] as TokenInfo[]) {
      const hash = await wallet.writeContract({
        address: token.address,
        abi: TestUSDC.abi,
        functionName: 'mint',
        args: [account.address, DEV_ACCOUNT_TOKENS * 10n ** BigInt(token.decimals)],
      });
      await client.publicClient.waitForTransactionReceipt({ hash });
    }
  }
  const partial = { chainId: client.chainId, tokens, superfluid };
  return { ...partial, encryptedCredits: await deployOperatorCredits(client, treasury, partial) };
}

/**
 * A configured encrypted-credits contract, checked before Tally relies on it: over the configured
 * USDC, operated by this treasury, under the auditor key this treasury's signature derives (another
 * key would leave every balance unreadable to the audit).
 */
async function describeEncryptedCredits(
  client: ChainClient,
  contract: Address,
  treasury: PrivateKeyAccount,
  usdc: TokenInfo,
): Promise<EncryptedCreditsAddresses> {
  const code = await client.publicClient.getCode({ address: contract });
  if (!code || code === '0x')
    throw new Error(`ENCRYPTED_CREDITS_ADDRESS ${contract} has no contract on chain ${client.chainId}`);
  const read = <T>(functionName: string): Promise<T> =>
    client.publicClient.readContract({
      address: contract,
      abi: EncryptedCredits.abi,
      functionName,
    } as never) as Promise<T>;
  const [token, operator, auditorKey, transferVerifier, withdrawVerifier] = await Promise.all([
    read<Address>('usdc'),
    read<Address>('operator'),
    read<{ x: bigint; y: bigint }>('auditorKey'),
    read<Address>('transferVerifier'),
    read<Address>('withdrawVerifier'),
  ]);
  const auditor = await auditorKeyOf(treasury);
  if (getAddress(token) !== getAddress(usdc.address))
    throw new Error(
      `ENCRYPTED_CREDITS_ADDRESS ${contract} holds ${token}, not the configured USDC ${usdc.address}`,
    );
  if (getAddress(operator) !== treasury.address)
    throw new Error(
      `ENCRYPTED_CREDITS_ADDRESS ${contract} is operated by ${operator}, not the treasury ${treasury.address}`,
    );
  if (auditorKey.x !== auditor.publicKey.x || auditorKey.y !== auditor.publicKey.y)
    throw new Error(
      `ENCRYPTED_CREDITS_ADDRESS ${contract} was deployed for another auditor key than this treasury's`,
    );
  return {
    contract: getAddress(contract),
    transferVerifier: getAddress(transferVerifier),
    withdrawVerifier: getAddress(withdrawVerifier),
  };
}

/** The encrypted credits over the deployment's USDC, operated by the treasury under its auditor key. */
async function deployOperatorCredits(
  client: ChainClient,
  treasury: PrivateKeyAccount,
  deployment: ChainDeployment,
): Promise<EncryptedCreditsAddresses> {
  const auditor = await auditorKeyOf(treasury);
  const deployed = await deployEncryptedCredits(walletFor(client, treasury), client.publicClient, {
    usdc: deployment.tokens.USDC.address,
    operator: treasury.address,
    auditorKey: auditor.publicKey,
  });
  return {
    contract: deployed.contract,
    transferVerifier: deployed.transferVerifier,
    withdrawVerifier: deployed.withdrawVerifier,
  };
}
