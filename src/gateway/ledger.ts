import { formatUnits } from 'viem';
import type { Clock } from '../core/clock';
import type { Db } from '../core/database';
import { AppError } from '../core/errors';
import { applyBalanceOps } from '../ledger/engine';
import { type BalanceOpResult, type Hold, idFromKey, partId, shardedSink } from '../ledger/holds';
import { createAccounts, createLedger, getAccount } from '../ledger/service';
import type { Account, Balances } from '../ledger/types';

/**
 * The gateway's accounts on the `USDC` ledger (scale 6: credits are USDC micro-units, 1:1).
 *
 * - `onchain`: the USDC the treasury holds for the gateway. A deposit debits it and credits the
 *   person's account; a withdrawal or payout credits it back when the USDC leaves. Its debit balance
 *   is what the treasury must hold.
 * - a person's `credits` account (debits must not exceed credits): their prepaid balance.
 * - `served`: what calls were charged, split in 16 shards (the ledger's `shardedSink`) so that
 *   unrelated people's calls do not queue on one row; settlement moves it on to providers and fees.
 * - a provider's `earnings` account (debits must not exceed credits): what settlement gave it and
 *   no payout has taken yet.
 * - `fees`: the platform's share.
 * - a provider's `encrypted` account (debits must not exceed credits): what settlement paid into its
 *   encrypted account on chain and it has not claimed to USDC yet. Its balance is what the auditor
 *   key must read in that account.
 */
export const USDC_LEDGER = 'USDC';
/** The namespace of the gateway's name-based ids (UUIDv5). */
export const GATEWAY_NAMESPACE = '6f1c2a5e-3b7d-4f0e-9a8c-2d4b6e8f0a1c';

export const accountIdOf = (...parts: string[]): string => idFromKey(GATEWAY_NAMESPACE, 'account', ...parts);

export const GATEWAY_ACCOUNTS = {
  onchain: accountIdOf('onchain'),
  fees: accountIdOf('fees'),
  /** Where a settlement gathers the served shards before it splits them: empty between runs. */
  settling: accountIdOf('settling'),
} as const;

export const SERVED_ACCOUNTS: readonly string[] = Array.from({ length: 16 }, (_, shard) =>
  accountIdOf('served', String(shard)),
);
export const servedSink = shardedSink(SERVED_ACCOUNTS);

export const creditsAccountOf = (userId: string): string => accountIdOf('credits', userId);
export const earningsAccountOf = (providerId: string): string => accountIdOf('earnings', providerId);
export const encryptedAccountOf = (providerId: string): string => accountIdOf('encrypted', providerId);

/** The ledger and the line's own accounts; safe at every start. */
export async function ensureGatewayLedger(db: Db, clock: Clock): Promise<void> {
  const deps = { db, clock };
  await createLedger(deps, { code: USDC_LEDGER, scale: 6 });
  await createAccounts(deps, [
    { id: GATEWAY_ACCOUNTS.onchain, ledger: USDC_LEDGER, code: 'gateway_onchain' },
    { id: GATEWAY_ACCOUNTS.fees, ledger: USDC_LEDGER, code: 'gateway_fees' },
    { id: GATEWAY_ACCOUNTS.settling, ledger: USDC_LEDGER, code: 'gateway_settling' },
    ...SERVED_ACCOUNTS.map((id) => ({ id, ledger: USDC_LEDGER, code: 'gateway_served' })),
  ]);
}

/** A provider's earnings account, made the first time it earns (in the caller's transaction). */
export async function ensureEarningsAccount(tx: Db, clock: Clock, providerId: string): Promise<string> {
  const id = earningsAccountOf(providerId);
  await createAccounts({ db: tx, clock }, [
    {
      id,
      ledger: USDC_LEDGER,
      code: 'gateway_earnings',
      owner: `gateway_provider:${providerId}`,
      flags: { debitsMustNotExceedCredits: true },
    },
  ]);
  return id;
}

/** A provider's encrypted-balance account, made with its first encrypted payout (in the caller's transaction). */
export async function ensureEncryptedAccount(tx: Db, clock: Clock, providerId: string): Promise<string> {
  const id = encryptedAccountOf(providerId);
  await createAccounts({ db: tx, clock }, [
    {
      id,
      ledger: USDC_LEDGER,
      code: 'gateway_encrypted',
      owner: `gateway_provider:${providerId}`,
      flags: { debitsMustNotExceedCredits: true },
    },
  ]);
  return id;
}

/**
 * Credits accounts this process has seen made: accounts are never deleted, so a paid call need not
 * ask the ledger again (the hot path of every call).
 */
const knownCreditsAccounts = new Set<string>();

/** A person's credits account, made the first time it is needed (in the caller's transaction). */
export async function ensureCreditsAccount(tx: Db, clock: Clock, userId: string): Promise<string> {
  const id = creditsAccountOf(userId);
  if (knownCreditsAccounts.has(id)) return id;
  const [made] = await createAccounts({ db: tx, clock }, [
    {
      id,
      ledger: USDC_LEDGER,
      code: 'gateway_credits',
      owner: `user:${userId}`,
      flags: { debitsMustNotExceedCredits: true },
    },
  ]);
  // Remembered once it was there before this transaction: one made now is not, until it commits.
  if (made?.result === 'exists') knownCreditsAccounts.add(id);
  return id;
}

/**
 * Ends the hold a call, withdrawal or payout placed (`ownerId` is its id): captured when `capture`,
 * released otherwise, under ids derived from the owner, so a second run answers `exists` and
 * nothing moves twice. `hold`, when the caller has it, saves the ledger reading it again.
 */
export async function endHold(
  tx: Db,
  clock: Clock,
  ownerId: string,
  holdId: string,
  capture: boolean,
  hold?: Hold,
): Promise<BalanceOpResult | undefined> {
  const [done] = await applyBalanceOps(
    tx,
    [
      capture
        ? { op: 'capture', id: partId(ownerId, 2), holdId, hold }
        : { op: 'release', id: partId(ownerId, 3), holdId, hold },
    ],
    { clock },
  );
  return done;
}

/** As `endHold`, for a hold that must be there to end: anything but done is a bug to stop on. */
export async function endHeldTransfer(
  tx: Db,
  clock: Clock,
  ownerId: string,
  holdId: string,
  paid: boolean,
): Promise<void> {
  const done = await endHold(tx, clock, ownerId, holdId, paid);
  if (done?.result !== 'ok' && done?.result !== 'exists')
    throw new Error(`the hold of ${ownerId} could not be ${paid ? 'captured' : 'released'}: ${done?.result}`);
}

/** What a limited account (a person's credits, a provider's earnings) can give now: posted credits less what is spent and held. */
export const availableOf = (account: Balances): bigint =>
  account.creditsPosted - account.debitsPosted - account.debitsPending;

/** An account of the line, or null before it was ever made (nobody deposited or earned yet). */
export async function findAccount(db: Db, id: string): Promise<Account | null> {
  try {
    return await getAccount({ db }, id);
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return null;
    throw error;
  }
}

/** What an account of the line can give now; 0 before it was ever made. */
export async function availableIn(db: Db, id: string): Promise<bigint> {
  const account = await findAccount(db, id);
  return account ? availableOf(account) : 0n;
}

/** Micro-USDC as people read it: `0.0025 USDC`, exact. */
export const formatUsdc = (micro: bigint): string => `${formatUnits(micro, 6)} USDC`;
