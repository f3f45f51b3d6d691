import { randomBytes } from 'node:crypto';
import type { Address, Hex, TypedDataDomain, TypedDataParameter } from 'viem';
import { generatePrivateKey, type LocalAccount, privateKeyToAccount } from 'viem/accounts';
import { createChainClient } from '../../src/chain/client';
import { DEV_CHAIN_ID } from '../../src/chain/dev-chain';
import { type ChainRuntime, deployDevelopmentChain } from '../../src/chain/runtime';
import type { ChainSettings } from '../../src/core/config';
import { startAnvil } from './anvil';
import type { TestTally } from './app';

/**
 * The embedded chain as `npm start` sets it up (tokens, Superfluid, wrappers, funded development
 * accounts, a treasury that owns the mint) on a fresh anvil for one test file.
 */
export async function startTestChain(
  overrides: Partial<Pick<ChainSettings, 'confirmations' | 'maxGasLimit' | 'maxFeePerGas'>> = {},
): Promise<ChainRuntime> {
  const anvil = await startAnvil();
  const client = createChainClient({ rpcUrl: anvil.rpcUrl, chainId: DEV_CHAIN_ID, dev: true });
  const treasury = privateKeyToAccount(generatePrivateKey());
  const deployment = await deployDevelopmentChain(client, treasury);
  const settings: ChainSettings = {
    mode: 'embedded',
    dir: '',
    name: 'Tally development chain',
    confirmations: 0,
    pollMs: 50,
    maxGasLimit: 3_000_000n,
    maxFeePerGas: 500n * 10n ** 9n,
    logRange: 2000n,
    headMargin: 0n,
    ...overrides,
  };
  // The anvil is stopped with the test file; the runtime has nothing else to stop.
  return { client, settings, treasury, deployment, startBlock: 0n, stop: async () => {} };
}

/** The terms a wallet signs a USDC authorization against, as a deposit's terms or a checkout's offer give them. */
export interface AuthorizationTermsBody {
  to: string;
  domain: TypedDataDomain;
  types: Record<'ReceiveWithAuthorization' | 'TransferWithAuthorization', readonly TypedDataParameter[]>;
}

/** Whoever signs an authorization: a development account, or a stranger's key for a forged one. */
export type AuthorizationSigner = Pick<LocalAccount, 'address' | 'signTypedData'>;

export interface AuthorizationOptions {
  kind?: 'receive' | 'transfer';
  /** Seconds from the chain's now until it expires. */
  validFor?: number;
  validAfter?: bigint;
  /** The payer it claims, when that is not the signer's own address. */
  from?: Address;
}

/**
 * An EIP-3009 authorization of `value` micro-USDC to the terms' treasury, signed as the web app or
 * the SDK signs it: `message` and `signature` for sending it to the token oneself, `body` for a
 * route. Its window is read against the chain's latest block, not Tally's test clock, because the
 * token checks it against block time and the tests move their clock ahead of the chain.
 */
export async function signedAuthorization(
  chain: ChainRuntime,
  signer: AuthorizationSigner,
  terms: AuthorizationTermsBody,
  value: bigint,
  options: AuthorizationOptions = {},
) {
  const kind = options.kind ?? 'receive';
  const now = (await chain.client.publicClient.getBlock()).timestamp;
  const message = {
    from: options.from ?? signer.address,
    to: terms.to as Address,
    value,
    validAfter: options.validAfter ?? now - 5n,
    validBefore: now + BigInt(options.validFor ?? 3600),
    nonce: `0x${randomBytes(32).toString('hex')}` as Hex,
  };
  const primaryType = kind === 'receive' ? 'ReceiveWithAuthorization' : 'TransferWithAuthorization';
  const signature = await signer.signTypedData({
    domain: terms.domain,
    types: { [primaryType]: terms.types[primaryType] },
    primaryType,
    message,
  });
  return {
    message,
    signature,
    body: {
      kind,
      from: message.from,
      value: value.toString(),
      valid_after: message.validAfter.toString(),
      valid_before: message.validBefore.toString(),
      nonce: message.nonce,
      signature,
    },
  };
}

/**
 * Runs what a live Tally runs on its own, six rounds with the clock moved on between them: the
 * sender sends and confirms, the follower reads the chain's events, the flows act on both. A real
 * chain needs a few blocks before nothing changes any more. With `follow: false` the chain's events
 * are left unread, for tests of what Tally sends (payouts, withdrawals), which need only the sender.
 */
export async function settleChain(tally: TestTally, options: { follow?: boolean } = {}): Promise<void> {
  const follow = options.follow ?? true;
  for (let round = 0; round < 6; round++) {
    tally.clock.advance(2_000);
    await tally.sender!.processDue();
    if (follow) await tally.follower!.poll();
    await tally.context.flows.runDue();
  }
}
