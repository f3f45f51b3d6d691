import { and, desc, eq, inArray, isNotNull } from 'drizzle-orm';
import { type Address, getAddress } from 'viem';
import { decrypt } from '../../chain/zk/elgamal';
import { readAccount } from '../../chain/zk/encrypted-credits';
import { type Actor, requireAdmin } from '../../core/actor';
import type { Db } from '../../core/database';
import { newId } from '../../core/ids';
import type { GatewayDeps } from '../deps';
import { encryptedAccountOf, findAccount } from '../ledger';
import { deposits, encryptedAccounts, encryptedAudits, encryptedClaims, payouts } from '../schema';
import { batchesInFlight, expectedPoolValue } from './payouts';
import { findEncryptedCredits } from './runtime';
import { movingAddresses, spendingRecord } from './spending';

export type EncryptedAudit = typeof encryptedAudits.$inferSelect;

// A mismatch's amount is looked for up to 2^32 micro-USDC (4,294 USDC): enough to tell an
// administrator what the chain holds in every ordinary case, and a second or two of work.
const SEARCH_LIMIT = 1n << 32n;

/**
 * Decrypts every encrypted account with the auditor key and compares it with the ledger: a
 * provider's account must hold what its ledger account `encrypted` has posted, a person's what
 * their encrypted deposits minted less what was swept (`spendingRecord`; the ledger's own balance
 * is that less what they spent since the last settlement), the pool what Tally's batches funded
 * and swept in and did not pay. Only the expected amount is tried (one multiplication per
 * account); the search for what a mismatched account holds instead is bounded. An account with a
 * move or a claim on its way is left to the next run, since the chain and the ledger are between
 * two states then. Each run is recorded for administrators.
 */
export async function auditEncryptedBalances(deps: GatewayDeps): Promise<EncryptedAudit | null> {
  const credits = await findEncryptedCredits(deps);
  if (!credits) return null;
  const { chain, contract, auditor } = credits;
  const inFlight = await batchesInFlight(deps.db);
  const busy = new Set<string>();
  if (inFlight.length > 0) {
    const moving = await deps.db
      .select({ address: payouts.toAddress })
      .from(payouts)
      .where(
        inArray(
          payouts.batchId,
          inFlight.map((batch) => batch.id),
        ),
      );
    for (const row of moving) busy.add(row.address);
  }
  const claiming = await deps.db
    .select({ address: encryptedClaims.address })
    .from(encryptedClaims)
    .where(eq(encryptedClaims.state, 'pending'));
  for (const row of claiming) busy.add(row.address);
  for (const address of await movingAddresses(deps.db)) busy.add(address);
  const depositing = await deps.db
    .select({ address: deposits.fromAddress })
    .from(deposits)
    .where(and(eq(deposits.encrypted, true), eq(deposits.state, 'payment_received')));
  for (const row of depositing) busy.add(row.address);

  const expected: { address: Address; providerId: string | null; userId: string | null; value: bigint }[] =
    [];
  let skipped = 0;
  if (inFlight.length === 0)
    expected.push({
      address: contract,
      providerId: null,
      userId: null,
      value: await expectedPoolValue(deps.db),
    });
  else skipped += 1;
  const registered = await deps.db
    .select()
    .from(encryptedAccounts)
    .where(isNotNull(encryptedAccounts.registeredAt));
  for (const account of registered) {
    if (busy.has(account.address)) {
      skipped += 1;
      continue;
    }
    if (account.providerId) {
      const ledger = await findAccount(deps.db, encryptedAccountOf(account.providerId));
      const value = ledger ? ledger.creditsPosted - ledger.debitsPosted : 0n;
      expected.push({
        address: getAddress(account.address),
        providerId: account.providerId,
        userId: null,
        value,
      });
    } else if (account.spending) {
      expected.push({
        address: getAddress(account.address),
        providerId: null,
        userId: account.userId,
        value: await spendingRecord(deps.db, account.address),
      });
    }
  }

  const mismatches: EncryptedAudit['mismatches'] = [];
  for (const entry of expected) {
    const held = await readAccount(chain.client.publicClient, contract, entry.address);
    const found = decrypt(held.audit, auditor.secret, SEARCH_LIMIT, entry.value);
    if (found !== entry.value) {
      mismatches.push({
        address: entry.address.toLowerCase(),
        providerId: entry.providerId,
        userId: entry.userId,
        expected: entry.value.toString(),
        found: found === undefined ? null : found.toString(),
      });
    }
  }
  const [audit] = await deps.db
    .insert(encryptedAudits)
    .values({ id: newId(), ranAt: deps.clock.now(), checked: expected.length, skipped, mismatches })
    .returning();
  if (mismatches.length > 0)
    deps.log.error({ mismatches: mismatches.length }, 'gateway: encrypted balances differ from the ledger');
  return audit!;
}

/** The latest runs, newest first (administrators). */
export async function listEncryptedAudits(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
): Promise<EncryptedAudit[]> {
  requireAdmin(actor);
  return latestAudits(deps.db);
}

const latestAudits = (db: Db): Promise<EncryptedAudit[]> =>
  db.select().from(encryptedAudits).orderBy(desc(encryptedAudits.ranAt)).limit(30);
