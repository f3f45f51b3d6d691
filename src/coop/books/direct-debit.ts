import { and, desc, eq, sql } from 'drizzle-orm';
import { authorize } from '../../core/access/authorization';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { checkCreditorIdentifier } from '../../core/banking/creditor-identifier';
import { checkIban } from '../../core/banking/iban';
import { type Db, queryRows, refusingUniqueViolations } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import { clubAccess } from '../clubs/service';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { orderStanding, requireRight } from '../orders/access';
import { clubBankAccounts, directDebitMandates, directDebitSettings } from '../schema';

/**
 * SEPA direct debit, if a club wants it: the Admin switches it on with the club's creditor
 * identifier; a household signs a mandate for its account; the bookkeeper then collects the
 * household's bills with a direct debit file (`direct-debit-collections.ts`) instead of waiting for
 * a transfer.
 */

export type DirectDebitSettings = typeof directDebitSettings.$inferSelect;
export type Mandate = typeof directDebitMandates.$inferSelect;

/** Whether the club collects by direct debit, and its creditor identifier: every member sees it (mandates quote it). */
export async function getDirectDebitSettings(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<DirectDebitSettings | null> {
  await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  const [settings] = await deps.db
    .select()
    .from(directDebitSettings)
    .where(eq(directDebitSettings.clubId, clubId));
  return settings ?? null;
}

/**
 * The Admin (who changes the club's settings) switches direct debit on, or changes the identifier:
 * the club's account must be set, since collected money arrives there.
 */
export async function enableDirectDebit(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  input: { creditorId: string },
): Promise<DirectDebitSettings> {
  const userId = requireUser(actor);
  const checked = checkCreditorIdentifier(input.creditorId);
  if (!checked.valid)
    throw new AppError('validation_failed', `creditor identifier: ${checked.reason}`, {
      field: 'creditor_id',
    });
  return deps.db.transaction(async (tx) => {
    await authorize(
      { db: tx, kinds: deps.kinds },
      actor,
      clubId,
      CLUB_PERMISSIONS.settings,
      'change',
      clubAccess,
    );
    const [account] = await tx.select().from(clubBankAccounts).where(eq(clubBankAccounts.clubId, clubId));
    if (!account)
      throw coopErrors.error(
        'club_account_missing',
        'set the club’s bank account first: collected money arrives there',
      );
    const values = { creditorId: checked.identifier, updatedBy: userId, updatedAt: deps.clock.now() };
    const [settings] = await tx
      .insert(directDebitSettings)
      .values({ clubId, ...values })
      .onConflictDoUpdate({ target: directDebitSettings.clubId, set: values })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.club.direct_debit',
      objectType: 'coop_club',
      objectId: clubId,
      organizationId: clubId,
      details: { creditor_id: checked.identifier },
    });
    return settings!;
  });
}

/** The club's settings, or `direct_debit_off`. */
export async function requireDirectDebit(db: Db, clubId: string): Promise<DirectDebitSettings> {
  const [settings] = await db
    .select()
    .from(directDebitSettings)
    .where(eq(directDebitSettings.clubId, clubId));
  if (!settings)
    throw coopErrors.error(
      'direct_debit_off',
      'the club does not collect by direct debit: its Admin switches it on in the club’s settings',
    );
  return settings;
}

/** The household and what the caller may do with its mandate; outsiders find no household. */
async function householdStanding(
  deps: CoopDeps,
  db: Db,
  actor: Actor,
  householdId: string,
  mode: 'read' | 'change',
) {
  const [household] = isUuid(householdId)
    ? await queryRows<{ id: string; club_id: string; archived: boolean }>(
        db,
        sql`SELECT id, club_id, archived_at IS NOT NULL AS archived FROM coop_households WHERE id = ${householdId}`,
      )
    : [];
  if (!household) throw notFound('household', { id: householdId });
  const standing = await orderStanding(deps, db, actor, household.club_id, mode, {
    kind: 'household',
    id: householdId,
  });
  return {
    clubId: household.club_id,
    archived: household.archived,
    lives: standing.householdId === householdId,
    books: standing.books,
  };
}

/** The household's active mandate, or null (its members, the bookkeeper, the Admin). */
export async function getHouseholdMandate(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
): Promise<Mandate | null> {
  const standing = await householdStanding(deps, deps.db, actor, householdId, 'read');
  requireRight(
    standing.lives || standing.books,
    'only its members and the bookkeeper see a household’s mandate',
  );
  const [mandate] = await deps.db
    .select()
    .from(directDebitMandates)
    .where(and(eq(directDebitMandates.householdId, householdId), eq(directDebitMandates.state, 'active')));
  return mandate ?? null;
}

/** The reference the debits quote: Tally's, unique, 28 characters of the SEPA set. */
const mandateReference = (mandateId: string) =>
  `TALLY-M-${mandateId.replaceAll('-', '').slice(-20).toUpperCase()}`;

/**
 * A member of the household signs a mandate for it: the club may collect the household's bills from
 * this account. Tally gives it its reference and the day of signature; one active mandate a household.
 */
export async function signMandate(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
  input: { accountHolder: string; iban: string; bic?: string | null },
): Promise<Mandate> {
  const userId = requireUser(actor);
  const accountHolder = input.accountHolder.trim();
  if (!accountHolder)
    throw new AppError('validation_failed', 'say who holds the account', { field: 'account_holder' });
  const checked = checkIban(input.iban);
  if (!checked.valid) throw new AppError('validation_failed', `iban: ${checked.reason}`, { field: 'iban' });
  const bic = input.bic?.trim().toUpperCase() || null;
  if (bic !== null && !/^[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?$/.test(bic))
    throw new AppError('validation_failed', 'a BIC has 8 or 11 letters and digits (COBADEFFXXX)', {
      field: 'bic',
    });
  return deps.db.transaction(async (tx) => {
    const standing = await householdStanding(deps, tx, actor, householdId, 'change');
    requireRight(standing.lives, 'only a member of the household signs its mandate');
    if (standing.archived) throw coopErrors.error('household_archived', 'the household is archived');
    const settings = await requireDirectDebit(tx, standing.clubId);
    const refuseActive = (mandateId?: string) =>
      coopErrors.error('mandate_active', 'the household has an active mandate already: revoke it first', {
        mandate_id: mandateId,
      });
    const [active] = await tx
      .select()
      .from(directDebitMandates)
      .where(and(eq(directDebitMandates.householdId, householdId), eq(directDebitMandates.state, 'active')));
    if (active) throw refuseActive(active.id);
    const now = deps.clock.now();
    const id = newId();
    const [mandate] = await refusingUniqueViolations(
      () =>
        tx
          .insert(directDebitMandates)
          .values({
            id,
            clubId: standing.clubId,
            householdId,
            reference: mandateReference(id),
            accountHolder,
            iban: checked.iban,
            bic,
            signedOn: now.toISOString().slice(0, 10),
            signedBy: userId,
            signedAt: now,
            state: 'active',
          })
          .returning(),
      { coop_direct_debit_mandates_active: () => refuseActive() },
    );
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.mandate.sign',
      objectType: 'coop_direct_debit_mandate',
      objectId: mandate!.id,
      organizationId: standing.clubId,
      details: { household_id: householdId, reference: mandate!.reference, creditor_id: settings.creditorId },
    });
    return mandate!;
  });
}

/**
 * The household (or the bookkeeper) revokes a mandate: nothing more is collected with it. Debits sent
 * already are the bank's to answer: a debit on a revoked mandate comes back as a return.
 */
export async function revokeMandate(deps: CoopDeps, actor: Actor, mandateId: string): Promise<Mandate> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const [found] = isUuid(mandateId)
      ? await tx.select().from(directDebitMandates).where(eq(directDebitMandates.id, mandateId))
      : [];
    if (!found) throw notFound('mandate', { id: mandateId });
    const standing = await householdStanding(deps, tx, actor, found.householdId, 'change').catch((error) => {
      if (error instanceof AppError && error.code === 'not_found')
        throw notFound('mandate', { id: mandateId });
      throw error;
    });
    requireRight(standing.lives || standing.books, 'only its household and the bookkeeper revoke a mandate');
    const [mandate] = await tx
      .select()
      .from(directDebitMandates)
      .where(eq(directDebitMandates.id, mandateId))
      .for('update');
    if (mandate!.state === 'revoked')
      throw coopErrors.error('mandate_revoked', 'the mandate is revoked already');
    const [revoked] = await tx
      .update(directDebitMandates)
      .set({ state: 'revoked', revokedBy: userId, revokedAt: deps.clock.now() })
      .where(eq(directDebitMandates.id, mandateId))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.mandate.revoke',
      objectType: 'coop_direct_debit_mandate',
      objectId: mandateId,
      organizationId: mandate!.clubId,
      details: { household_id: mandate!.householdId },
    });
    return revoked!;
  });
}

export interface MandateView extends Mandate {
  householdName: string;
}

/** Every mandate of the club, the active ones first (the bookkeeper, the Admin). */
export async function listMandates(deps: CoopDeps, actor: Actor, clubId: string): Promise<MandateView[]> {
  const standing = await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  requireRight(standing.books, 'only the bookkeeper or the Admin sees the club’s mandates');
  const names = await queryRows<{ id: string; name: string }>(
    deps.db,
    sql`SELECT id, name FROM coop_households WHERE club_id = ${clubId}`,
  );
  const nameOf = new Map(names.map((row) => [row.id, row.name]));
  const mandates = await deps.db
    .select()
    .from(directDebitMandates)
    .where(eq(directDebitMandates.clubId, clubId))
    .orderBy(
      sql`CASE ${directDebitMandates.state} WHEN 'active' THEN 0 ELSE 1 END`,
      desc(directDebitMandates.signedAt),
    );
  return mandates.map((mandate) => ({ ...mandate, householdName: nameOf.get(mandate.householdId) ?? '' }));
}
