import { and, asc, eq, sql } from 'drizzle-orm';
import type { Ciphertext } from '../../chain/zk/elgamal';
import { holdsAmount } from '../../chain/zk/elgamal';
import { type Db, queryRows } from '../../core/database';
import { creditsAccountOf } from '../ledger';
import { deposits, encryptedAccounts, encryptedSweeps, withdrawals } from '../schema';
import type { EncryptedAccount } from './accounts';

/**
 * A person's encrypted account, as Tally keeps it beside the ledger. Their deposits from its wallet
 * are minted to it on chain; what they spend is charged in the ledger at once (every call) and
 * leaves the account on chain only at the next settlement, when a sweep moves it into the pool
 * with the day's other spending. So the chain holds, by Tally's record, what was minted less what
 * was swept; the sweep makes it what the ledger owes the person again, never more.
 */

export type EncryptedSweep = typeof encryptedSweeps.$inferSelect;

/**
 * What the account holds on chain by Tally's record: the encrypted deposits credited, less the
 * sweeps done and the withdrawals paid out of it. One on its way is not counted until it is done.
 */
export async function spendingRecord(db: Db, address: string): Promise<bigint> {
  const [row] = await queryRows<{ record: string }>(db, sql`SELECT ${recordOf(address)} AS record`);
  return BigInt(row?.record ?? 0);
}

const recordOf = (address: string) => sql`(
  coalesce((SELECT sum(value) FROM gateway_deposits
    WHERE from_address = ${address} AND encrypted AND state = 'credits_issued'), 0)
  - coalesce((SELECT sum(amount) FROM gateway_encrypted_sweeps
    WHERE address = ${address} AND state = 'done'), 0)
  - coalesce((SELECT sum(amount) FROM gateway_withdrawals
    WHERE to_address = ${address} AND encrypted AND state = 'paid'), 0))`;

/**
 * Encrypted deposits into the account submitted and not yet credited (mined but short of their
 * confirmations, or not mined yet), oldest first: while there are any, the account is about to
 * change, and no proof is made over it.
 */
export async function depositsOnTheirWay(db: Db, address: string): Promise<bigint[]> {
  const rows = await db
    .select({ value: deposits.value })
    .from(deposits)
    .where(
      and(
        eq(deposits.fromAddress, address),
        eq(deposits.encrypted, true),
        eq(deposits.state, 'payment_received'),
      ),
    )
    .orderBy(asc(deposits.createdAt), asc(deposits.id));
  return rows.map((row) => row.value);
}

/**
 * What a person's account holds on chain, read with the auditor key: Tally's record of it, or
 * undefined when the chain reads otherwise (a lagging RPC, a deposit mined and not yet credited,
 * or a drift the audit reports): nothing is proven from it then.
 */
export async function spendingValueOnChain(
  db: Db,
  address: string,
  audit: Ciphertext,
  auditorSecret: bigint,
): Promise<bigint | undefined> {
  const value = await spendingRecord(db, address);
  return holdsAmount(audit, auditorSecret, value) ? value : undefined;
}

export type SweepDue = { account: EncryptedAccount; amount: bigint };

/**
 * What each registered person's account holds on chain beyond what the ledger owes them: what they
 * spent since the last sweep (or withdrew from the treasury). Posted balances only, so a call still
 * held is swept once it is charged, never before. A person who also paid the treasury plainly may
 * owe more than their account holds: nothing is due then. Accounts with a sweep on its way wait.
 */
export async function sweepsDue(db: Db): Promise<SweepDue[]> {
  const accounts = await db
    .select()
    .from(encryptedAccounts)
    .where(and(eq(encryptedAccounts.spending, true), eq(encryptedAccounts.state, 'registered')))
    .orderBy(asc(encryptedAccounts.address));
  if (accounts.length === 0) return [];
  const busy = await movingAddresses(db);
  const due: SweepDue[] = [];
  for (const account of accounts) {
    if (busy.has(account.address)) continue;
    // One statement, so the record and the ledger are read at one instant: a withdrawal out of the
    // account settled in between would otherwise be swept a second time.
    const [row] = await queryRows<{ record: string; owed: string | null }>(
      db,
      sql`SELECT ${recordOf(account.address)} AS record,
        (SELECT credits_posted - debits_posted FROM ledger_accounts WHERE id = ${creditsAccountOf(account.userId)}) AS owed`,
    );
    const record = BigInt(row?.record ?? 0);
    const owed = BigInt(row?.owed ?? 0);
    if (record > owed) due.push({ account, amount: record - owed });
  }
  return due;
}

/**
 * Accounts with a sweep, or (unless `sweepsOnly`) an encrypted withdrawal, on its way: between two
 * states, nothing is swept or proven from them, and the audit leaves them out. `address` asks of
 * that one account alone.
 */
export async function movingAddresses(
  db: Db,
  options: { address?: string; sweepsOnly?: boolean } = {},
): Promise<Set<string>> {
  const sweeping = await db
    .select({ address: encryptedSweeps.address })
    .from(encryptedSweeps)
    .where(
      and(
        eq(encryptedSweeps.state, 'pending'),
        options.address === undefined ? undefined : eq(encryptedSweeps.address, options.address),
      ),
    );
  const withdrawing = options.sweepsOnly
    ? []
    : await db
        .select({ address: withdrawals.toAddress })
        .from(withdrawals)
        .where(
          and(
            eq(withdrawals.encrypted, true),
            eq(withdrawals.state, 'pending'),
            options.address === undefined ? undefined : eq(withdrawals.toAddress, options.address),
          ),
        );
  return new Set([...sweeping, ...withdrawing].map((row) => row.address));
}

/** Whether a sweep, or (unless `sweepsOnly`) an encrypted withdrawal, of this account is on its way. */
export const isMoving = async (db: Db, address: string, options: { sweepsOnly?: boolean } = {}) =>
  (await movingAddresses(db, { ...options, address })).size > 0;
