import { v5 as uuidv5 } from 'uuid';
import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { shardedSink } from '../../ledger/holds';
import { createAccounts, createLedger } from '../../ledger/service';
import { isSuccess, type TransferResult } from '../../ledger/types';

/** Every credit lives on this ledger; credits are whole (scale 0). */
export const CREDITS_LEDGER = 'CREDITS';

/** The namespace of the credits line's name-based ids (UUIDv5): the same name always gives the same id. */
const CREDITS_NAMESPACE = 'e035b287-b391-498e-8f03-c0ac6f39ea7f';

/**
 * An id derived from its parts. Refills name their grants and transfers after (holding, cycle start),
 * so a retried refill finds what it already did instead of granting twice.
 */
export const derivedId = (...parts: string[]): string => uuidv5(parts.join('|'), CREDITS_NAMESPACE);

/** The line's own accounts, the same ids in every database. */
export const SYSTEM_ACCOUNTS = {
  /** Where new credits come from: it has no limit, so its debit balance is every credit ever issued. */
  issuer: derivedId('account', 'issuer'),
  /** Where credits go when the grant holding them expires. */
  expired: derivedId('account', 'expired'),
} as const;

/**
 * Where spent credits go: one sink split in 16 accounts (the ledger's `shardedSink`), each spender
 * always using the same one, so unrelated people's spends do not queue on one row.
 */
export const USED_ACCOUNTS: readonly string[] = Array.from({ length: 16 }, (_, shard) =>
  derivedId('account', 'used', String(shard)),
);

const usedSink = shardedSink(USED_ACCOUNTS);

export const usedAccountFor = (userId: string): string => usedSink.shardFor(userId);

/** What each transfer on the credits ledger is for (the ledger's `code`). */
export const TRANSFER_CODES = {
  issue: 'issue',
  /** An under-whitelabel grant drawn out of its reseller's grants. */
  fund: 'fund',
  usage: 'usage',
  reserve: 'reserve',
  expire: 'expire',
  rollover: 'rollover',
} as const;

export const GRANT_ACCOUNT_CODE = 'grant';

/**
 * Creates the credits ledger and its system accounts if they are missing. Safe to call from every
 * process at every start: both steps are create-if-absent.
 */
export async function ensureCreditsLedger(db: Db, clock: Clock): Promise<void> {
  await createLedger({ db, clock }, { code: CREDITS_LEDGER, scale: 0, name: 'Credits' });
  const outcomes = await createAccounts({ db, clock }, [
    ...Object.entries(SYSTEM_ACCOUNTS).map(([code, id]) => ({
      id,
      ledger: CREDITS_LEDGER,
      code,
      owner: 'credits',
    })),
    ...USED_ACCOUNTS.map((id, shard) => ({
      id,
      ledger: CREDITS_LEDGER,
      code: 'used',
      owner: 'credits',
      metadata: { shard },
    })),
  ]);
  const failed = outcomes.find((o) => o.result !== 'ok' && o.result !== 'exists');
  if (failed) {
    throw new AppError(
      'internal',
      `credits system account ${failed.id} could not be created: ${failed.result}`,
    );
  }
}

/** Whether every transfer of a batch was applied (a retry's `exists` counts as applied). */
export const allApplied = (results: readonly TransferResult[]): boolean =>
  results.every((r) => isSuccess(r.result));
