import { type Address, encodeFunctionData, getAddress, isAddress, parseEther } from 'viem';
import { type Actor, requireUser } from '../core/actor';
import { recordAudit } from '../core/audit/service';
import { consumeRateLimit } from '../core/auth/rate-limit';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { AppError } from '../core/errors';
import * as TestUSDC from './contracts/TestUSDC';
import type { TokenSymbol } from './deployment';
import type { ChainRuntime } from './runtime';
import { estimateGasLimit, type OutgoingTransaction, queueTransaction } from './sender/sender';

/**
 * The development chain's faucet: the treasury owns the test tokens and mints them to anyone who
 * asks, and tops up their ETH so they can pay for gas. It sends through the treasury's sender like
 * any payout, so its nonces never collide with Tally's other transactions.
 */

export const FAUCET_TOKENS = ['USDC', 'DAI'] as const satisfies readonly TokenSymbol[];
export type FaucetToken = (typeof FAUCET_TOKENS)[number];

/** The most one request mints, in whole tokens: plenty to try things, little enough to notice a typo. */
export const FAUCET_MAX_WHOLE_TOKENS = 100_000n;
export const FAUCET_DEFAULT_WHOLE_TOKENS = 1_000n;

/** The faucet's default and most, in minor units of a token with these decimals. */
export function faucetAmounts(decimals: number): { defaultAmount: bigint; maxAmount: bigint } {
  const unit = 10n ** BigInt(decimals);
  return { defaultAmount: FAUCET_DEFAULT_WHOLE_TOKENS * unit, maxAmount: FAUCET_MAX_WHOLE_TOKENS * unit };
}
/**
 * How often one account, and one address, may ask the faucet in a day: plenty to try things, and a
 * bound on what a script of fresh accounts or a wallet that spends its ETH elsewhere can take from the
 * treasury. Administrators (and the CLI's operator key) are not counted.
 */
export const FAUCET_DAILY_LIMIT = { limit: 10, windowMs: 24 * 3600 * 1000 };
/** Below this an address is given ETH along with its tokens. */
const GAS_TOP_UP_BELOW = parseEther('0.5');
const GAS_TOP_UP = parseEther('1');

export interface FaucetDeps {
  db: Db;
  clock: Clock;
  chain: ChainRuntime;
}

export interface FaucetInput {
  address: string;
  token: FaucetToken;
  /** Minor units of the token; the default is a thousand whole tokens. */
  amount?: bigint;
}

export interface FaucetOutcome {
  address: Address;
  token: FaucetToken;
  amount: bigint;
  /** The mint, and the ETH top-up when the address needed one. */
  transactions: OutgoingTransaction[];
}

export async function requestFromFaucet(
  deps: FaucetDeps,
  actor: Actor,
  input: FaucetInput,
): Promise<FaucetOutcome> {
  const { chain } = deps;
  if (!actor.isAdmin) requireUser(actor);
  if (!chain.client.dev) {
    throw new AppError('domain_rule', 'the faucet exists only on the development chain');
  }
  if (!isAddress(input.address, { strict: false })) {
    throw new AppError('validation_failed', 'not an Ethereum address', { field: 'address' });
  }
  const address = getAddress(input.address);
  const token = chain.deployment.tokens[input.token];
  if (!token) throw new AppError('validation_failed', `no ${input.token} on this chain`, { field: 'token' });
  const { defaultAmount, maxAmount } = faucetAmounts(token.decimals);
  const amount = input.amount ?? defaultAmount;
  if (amount <= 0n)
    throw new AppError('validation_failed', 'the amount must be positive', { field: 'amount' });
  if (amount > maxAmount) {
    throw new AppError(
      'validation_failed',
      `the faucet gives at most ${maxAmount} minor units (${FAUCET_MAX_WHOLE_TOKENS} ${token.symbol})`,
      { field: 'amount', max_amount: maxAmount.toString() },
    );
  }

  if (!actor.isAdmin) {
    await consumeRateLimit(deps.db, deps.clock, `faucet:user:${actor.userId}`, FAUCET_DAILY_LIMIT);
    await consumeRateLimit(deps.db, deps.clock, `faucet:address:${address}`, FAUCET_DAILY_LIMIT);
  }

  const treasury = chain.treasury.address;
  const mintData = encodeFunctionData({ abi: TestUSDC.abi, functionName: 'mint', args: [address, amount] });
  const settings = { maxGasLimit: chain.settings.maxGasLimit };
  // Estimates ask the chain, so they happen before the database transaction that records the sends.
  const mintGas = await estimateGasLimit(
    chain.client,
    { from: treasury, to: token.address, data: mintData },
    settings,
  );
  const needsGas = (await chain.client.publicClient.getBalance({ address })) < GAS_TOP_UP_BELOW;
  const topUpGas = needsGas
    ? await estimateGasLimit(chain.client, { from: treasury, to: address, value: GAS_TOP_UP }, settings)
    : undefined;

  const requestedBy = actor.userId;
  return deps.db.transaction(async (tx) => {
    const common = {
      chainId: chain.client.chainId,
      from: treasury,
      metadata: { requestedBy, token: token.symbol },
    };
    const transactions = [
      await queueTransaction(tx, deps.clock, {
        ...common,
        to: token.address,
        data: mintData,
        gasLimit: mintGas,
        purpose: 'faucet',
        metadata: { ...common.metadata, recipient: address, amount: amount.toString() },
      }),
    ];
    if (topUpGas !== undefined) {
      transactions.push(
        await queueTransaction(tx, deps.clock, {
          ...common,
          to: address,
          value: GAS_TOP_UP,
          gasLimit: topUpGas,
          purpose: 'faucet',
          metadata: { ...common.metadata, recipient: address, token: 'ETH', amount: GAS_TOP_UP.toString() },
        }),
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'chain.faucet',
      objectType: 'address',
      objectId: address,
      details: { token: token.symbol, amount: amount.toString(), gasTopUp: topUpGas !== undefined },
    });
    return { address, token: input.token, amount, transactions };
  });
}
