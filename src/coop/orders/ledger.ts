import type { Clock } from '../../core/clock';
import type { Db } from '../../core/database';
import { AppError } from '../../core/errors';
import { applyTransfers } from '../../ledger/engine';
import { ledgerRefusal } from '../../ledger/errors';
import { idFromKey } from '../../ledger/holds';
import { createAccounts, createLedger, getAccount } from '../../ledger/service';
import type { Balances, TransferInput } from '../../ledger/types';

/**
 * The club's money in the ledger, in euro cents. A household's account is what it owes the club
 * (a bill debits it, a payment credits it back); the club's **sales** are credited with the bills,
 * its **bank** is debited with what households paid and credited with what it paid producers; a
 * producer's account is credited with its invoice and debited when it is paid, from the club's
 * **purchases**. Every id is derived from what it is for, so doing a thing twice moves nothing twice.
 */

export const COOP_LEDGER = 'EUR';
const COOP_NAMESPACE = '8a4f7c52-0f55-4b8e-9d8a-2f3c1e6b7d90';

export const coopAccountIds = {
  household: (householdId: string) => idFromKey(COOP_NAMESPACE, 'household', householdId),
  producer: (producerId: string) => idFromKey(COOP_NAMESPACE, 'producer', producerId),
  sales: (clubId: string) => idFromKey(COOP_NAMESPACE, 'club-sales', clubId),
  bank: (clubId: string) => idFromKey(COOP_NAMESPACE, 'club-bank', clubId),
  purchases: (clubId: string) => idFromKey(COOP_NAMESPACE, 'club-purchases', clubId),
};

/** The id of a transfer for one thing that happens once (`bill`, order, household). */
export const coopTransferId = (...parts: string[]): string => idFromKey(COOP_NAMESPACE, 'transfer', ...parts);

export async function ensureCoopLedger(db: Db, clock: Clock): Promise<void> {
  await createLedger({ db, clock }, { code: COOP_LEDGER, scale: 2, name: 'Euro' });
}

/** The club's accounts and those of the households and producers named, made once. */
export async function ensureCoopAccounts(
  tx: Db,
  clock: Clock,
  clubId: string,
  owners: { households?: readonly string[]; producers?: readonly string[] },
): Promise<void> {
  const account = (id: string, code: string, owner: string) => ({ id, ledger: COOP_LEDGER, code, owner });
  const outcomes = await createAccounts({ db: tx, clock }, [
    account(coopAccountIds.sales(clubId), 'coop_sales', `club:${clubId}`),
    account(coopAccountIds.bank(clubId), 'coop_bank', `club:${clubId}`),
    account(coopAccountIds.purchases(clubId), 'coop_purchases', `club:${clubId}`),
    ...(owners.households ?? []).map((id) =>
      account(coopAccountIds.household(id), 'coop_household', `coop_household:${id}`),
    ),
    ...(owners.producers ?? []).map((id) =>
      account(coopAccountIds.producer(id), 'coop_producer', `coop_producer:${id}`),
    ),
  ]);
  const failed = outcomes.find((o) => o.result !== 'ok' && o.result !== 'exists');
  if (failed) throw new AppError('internal', `coop account ${failed.id} could not be made: ${failed.result}`);
}

/** Moves money for the club in the caller's transaction; a replay of the same ids moves nothing again. */
export async function postCoopTransfers(
  tx: Db,
  clock: Clock,
  transfers: readonly (Omit<TransferInput, 'ledger'> & { metadata: Record<string, unknown> })[],
): Promise<void> {
  if (transfers.length === 0) return;
  const results = await applyTransfers(
    tx,
    transfers.map((transfer) => ({ ...transfer, ledger: COOP_LEDGER })),
    { clock },
  );
  const refused = results.filter((r) => r.result !== 'ok' && r.result !== 'exists');
  if (refused.length > 0) throw ledgerRefusal(refused);
}

/** What an account's holder has: credits less debits, posted (a household below zero owes the club). */
export const netPosted = (balances: Balances): bigint => balances.creditsPosted - balances.debitsPosted;

export async function householdBalance(db: Db, householdId: string): Promise<bigint> {
  try {
    return netPosted(await getAccount({ db }, coopAccountIds.household(householdId)));
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return 0n;
    throw error;
  }
}
