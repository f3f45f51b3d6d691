import { eq } from 'drizzle-orm';
import type { Actor } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { checkIban } from '../../core/banking/iban';
import { AppError } from '../../core/errors';
import type { CoopDeps } from '../deps';
import { orderStanding, requireRight } from '../orders/access';
import { clubBankAccounts } from '../schema';

export type ClubBankAccount = typeof clubBankAccounts.$inferSelect;

/** Where households pay the club: every member sees it (it is printed with each bill). */
export async function getClubBankAccount(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<ClubBankAccount | null> {
  await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  const [account] = await deps.db.select().from(clubBankAccounts).where(eq(clubBankAccounts.clubId, clubId));
  return account ?? null;
}

/** The bookkeeper (or the Admin) sets the club's account: who holds it, its IBAN (checked), its BIC. */
export async function setClubBankAccount(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  fields: { accountHolder: string; iban: string; bic?: string | null },
): Promise<ClubBankAccount> {
  const checked = checkIban(fields.iban);
  if (!checked.valid) throw new AppError('validation_failed', `iban: ${checked.reason}`, { field: 'iban' });
  const accountHolder = fields.accountHolder.trim();
  if (!accountHolder)
    throw new AppError('validation_failed', 'say who holds the account', { field: 'account_holder' });
  const bic = fields.bic?.trim().toUpperCase() || null;
  if (bic !== null && !/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic))
    throw new AppError('validation_failed', 'a BIC has 8 or 11 letters and digits (COBADEFFXXX)', {
      field: 'bic',
    });
  return deps.db.transaction(async (tx) => {
    const standing = await orderStanding(deps, tx, actor, clubId, 'change', { kind: 'club', id: clubId });
    requireRight(
      standing.books || standing.runsProducers,
      'only the bookkeeper or the Admin sets the club’s account',
    );
    const values = { accountHolder, iban: checked.iban, bic, updatedAt: deps.clock.now() };
    const [account] = await tx
      .insert(clubBankAccounts)
      .values({ clubId, ...values })
      .onConflictDoUpdate({ target: clubBankAccounts.clubId, set: values })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.club.bank_account',
      objectType: 'coop_club',
      objectId: clubId,
      organizationId: clubId,
    });
    return account!;
  });
}
