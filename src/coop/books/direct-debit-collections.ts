import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { isBankDay, nextBankDay } from '../../core/banking/bank-days';
import type { StatementLine } from '../../core/banking/camt053';
import { directDebitXml, type SequenceType } from '../../core/banking/pain008';
import { type Db, queryRows, refusingUniqueViolations } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { addEvent, euros, findOrder, orderStanding, requireRight } from '../orders/access';
import { flagBadIn, receivePayment } from '../orders/billing';
import { coopAccountIds, coopTransferId, postCoopTransfers } from '../orders/ledger';
import {
  bankLines,
  clubBankAccounts,
  directDebitCollections,
  directDebitSettings,
  directDebits,
} from '../schema';
import { requireDirectDebit } from './direct-debit';

/**
 * The bookkeeper collects households' bills through the bank: one SEPA direct debit file
 * (pain.008) per collection, each bill in it once. The bills are paid when a statement shows each
 * debit's money arrived (its end-to-end id); a debit the household's bank returns is undone.
 */

export type Collection = typeof directDebitCollections.$inferSelect;
export type DirectDebitRow = typeof directDebits.$inferSelect;

const LIVE = ['sent', 'collected'] as const;

async function requireBooks(deps: CoopDeps, db: Db, actor: Actor, clubId: string, mode: 'read' | 'change') {
  const standing = await orderStanding(deps, db, actor, clubId, mode, { kind: 'club', id: clubId });
  requireRight(standing.books, 'only the bookkeeper or the Admin collects bills by direct debit');
  return standing;
}

export interface DebitableBill {
  orderId: string;
  orderNumber: number;
  householdId: string;
  householdName: string;
  reference: string;
  owedCents: bigint;
  mandateId: string | null;
  /** The collection the bill is in, sent to the bank: it is not collected again meanwhile. */
  collectionId: string | null;
}

/**
 * The bills the bookkeeper may collect: due, their order processed, their household with an active
 * mandate; and those in a collection sent, shown as such.
 */
export async function listDebitableBills(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<DebitableBill[]> {
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  const rows = await queryRows<{
    order_id: string;
    number: number;
    household_id: string;
    name: string;
    reference: string;
    owed: string;
    mandate_id: string | null;
    collection_id: string | null;
  }>(
    deps.db,
    sql`SELECT b.order_id, o.number, b.household_id, h.name, b.reference,
          (b.total_cents - b.received_cents)::text AS owed, m.id AS mandate_id, d.collection_id
        FROM coop_bills b
        JOIN coop_orders o ON o.id = b.order_id
        JOIN coop_households h ON h.id = b.household_id
        LEFT JOIN coop_direct_debit_mandates m ON m.household_id = b.household_id AND m.state = 'active'
        LEFT JOIN coop_direct_debits d ON d.order_id = b.order_id AND d.household_id = b.household_id
          AND d.state = 'sent'
        WHERE o.club_id = ${clubId} AND o.status = 'processed' AND b.payment_state = 'due'
          AND b.total_cents > b.received_cents AND (m.id IS NOT NULL OR d.id IS NOT NULL)
        ORDER BY o.number, h.name`,
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    orderNumber: row.number,
    householdId: row.household_id,
    householdName: row.name,
    reference: row.reference,
    owedCents: BigInt(row.owed),
    mandateId: row.mandate_id,
    collectionId: row.collection_id,
  }));
}

interface Chosen {
  order_id: string;
  number: number;
  status: string;
  household_id: string;
  name: string;
  reference: string;
  owed: string;
  payment_state: string;
}

/** The id a debit carries to the bank and back on the statement: the order, the household, the attempt. */
const debitEndToEndId = (orderNumber: number, householdId: string, attempt: number) =>
  `TALLY-DD-O${orderNumber}-${householdId.replaceAll('-', '').slice(-10).toUpperCase()}-${attempt}`;

/**
 * The bookkeeper picks due bills of households with a mandate and a collection day (the next bank
 * day at the earliest: banks need it ahead) and gets one direct debit file; the bills are then
 * "collection sent" until the statement shows the money. A mandate's first debit is FRST, the
 * following ones RCUR, as the SEPA Core rulebook asks.
 */
export async function createCollection(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  input: { bills: { orderId: string; householdId: string }[]; collectionDate?: string },
): Promise<Collection> {
  const userId = requireUser(actor);
  if (input.bills.length === 0)
    throw new AppError('validation_failed', 'choose at least one bill to collect', { field: 'bills' });
  const now = deps.clock.now();
  const earliest = nextBankDay(now.toISOString().slice(0, 10));
  const collectionDate = input.collectionDate ?? earliest;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(collectionDate) || collectionDate < earliest || !isBankDay(collectionDate))
    throw new AppError(
      'validation_failed',
      `the collection day is a bank day from ${earliest} on (YYYY-MM-DD; no weekend or TARGET holiday)`,
      { field: 'collection_date' },
    );
  return deps.db.transaction(async (tx) => {
    await requireBooks(deps, tx, actor, clubId, 'change');
    // One collection at a time per club: two requests at once cannot both take the same bill.
    await requireDirectDebit(tx, clubId);
    const [settings] = await tx
      .select()
      .from(directDebitSettings)
      .where(eq(directDebitSettings.clubId, clubId))
      .for('update');
    const [account] = await tx.select().from(clubBankAccounts).where(eq(clubBankAccounts.clubId, clubId));
    if (!account)
      throw coopErrors.error(
        'club_account_missing',
        'set the club’s bank account first: collected money arrives there',
      );
    const ordered = [...input.bills].sort((a, b) =>
      `${a.orderId}/${a.householdId}`.localeCompare(`${b.orderId}/${b.householdId}`),
    );
    const chosen: (Chosen & { mandate: MandateRow })[] = [];
    for (const { orderId, householdId } of ordered) {
      const [row] =
        isUuid(orderId) && isUuid(householdId)
          ? await queryRows<Chosen>(
              tx,
              sql`SELECT b.order_id, o.number, o.status, b.household_id, h.name, b.reference, b.payment_state,
                    (b.total_cents - b.received_cents)::text AS owed
                  FROM coop_bills b
                  JOIN coop_orders o ON o.id = b.order_id
                  JOIN coop_households h ON h.id = b.household_id
                  WHERE b.order_id = ${orderId} AND b.household_id = ${householdId} AND o.club_id = ${clubId}
                  FOR UPDATE OF b`,
            )
          : [];
      if (!row) throw notFound('bill', { order_id: orderId, household_id: householdId });
      const what = `${row.name}’s bill for order ${row.number}`;
      if (chosen.some((c) => c.order_id === row.order_id && c.household_id === row.household_id))
        throw new AppError('validation_failed', `${what} is chosen twice`, { field: 'bills' });
      if (row.status !== 'processed')
        throw coopErrors.error('order_finished', `order ${row.number} is ${row.status}`);
      if (row.payment_state !== 'due' || BigInt(row.owed) <= 0n)
        throw coopErrors.error('bill_not_due', `${what} is not due: it is ${row.payment_state}`, {
          state: row.payment_state,
        });
      const [live] = await tx
        .select()
        .from(directDebits)
        .where(
          and(
            eq(directDebits.orderId, row.order_id),
            eq(directDebits.householdId, row.household_id),
            inArray(directDebits.state, LIVE),
          ),
        );
      if (live)
        throw coopErrors.error(
          'bill_collection_sent',
          `${what} is in a collection sent to the bank already`,
          {
            collection_id: live.collectionId,
          },
        );
      const [mandate] = await queryRows<MandateRow>(
        tx,
        sql`SELECT id, reference, account_holder, iban, bic, signed_on FROM coop_direct_debit_mandates
            WHERE household_id = ${row.household_id} AND state = 'active'`,
      );
      if (!mandate)
        throw coopErrors.error('bill_without_mandate', `${row.name} has signed no direct debit mandate`, {
          household_id: row.household_id,
        });
      chosen.push({ ...row, mandate });
    }
    const sequenceOf = await sequenceTypes(
      tx,
      chosen.map((c) => c.mandate.id),
    );
    const attempts = await queryRows<{ order_id: string; household_id: string; n: number }>(
      tx,
      sql`SELECT order_id, household_id, count(*)::int AS n FROM coop_direct_debits
          WHERE club_id = ${clubId} GROUP BY order_id, household_id`,
    );
    const attemptOf = (c: Chosen) =>
      (attempts.find((a) => a.order_id === c.order_id && a.household_id === c.household_id)?.n ?? 0) + 1;
    const [count] = await queryRows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM coop_direct_debit_collections WHERE club_id = ${clubId}`,
    );
    const messageId = `TALLY-DD-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${(count?.n ?? 0) + 1}`;
    const debits = chosen.map((c) => ({
      row: c,
      debit: {
        endToEndId: debitEndToEndId(c.number, c.household_id, attemptOf(c)),
        amountCents: BigInt(c.owed),
        collectionDate,
        sequenceType: sequenceOf(c.mandate.id),
        mandateId: c.mandate.reference,
        mandateSignedOn: c.mandate.signed_on,
        debtorName: c.mandate.account_holder,
        debtorIban: c.mandate.iban,
        debtorBic: c.mandate.bic,
        remittance: `Order ${c.number} ${c.reference}`,
      },
    }));
    const xml = directDebitXml({
      messageId,
      createdAt: now,
      creditorName: account.accountHolder,
      creditorIban: account.iban,
      creditorBic: account.bic,
      creditorId: settings!.creditorId,
      debits: debits.map((d) => d.debit),
    });
    const [collection] = await tx
      .insert(directDebitCollections)
      .values({
        id: newId(),
        clubId,
        messageId,
        collectionDate,
        debits: debits.length,
        totalCents: debits.reduce((sum, d) => sum + d.debit.amountCents, 0n),
        xml,
        state: 'sent',
        createdBy: userId,
        createdAt: now,
      })
      .returning();
    await refusingUniqueViolations(
      () =>
        tx.insert(directDebits).values(
          debits.map(({ row, debit }) => ({
            id: newId(),
            clubId,
            collectionId: collection!.id,
            orderId: row.order_id,
            householdId: row.household_id,
            mandateId: row.mandate.id,
            endToEndId: debit.endToEndId,
            amountCents: debit.amountCents,
            sequenceType: debit.sequenceType,
            state: 'sent' as const,
          })),
        ),
      {
        coop_direct_debits_live: () =>
          coopErrors.error(
            'bill_collection_sent',
            'a bill chosen is in a collection sent to the bank already',
          ),
      },
    );
    for (const { row, debit } of debits) {
      await addEvent(
        tx,
        deps,
        row.order_id,
        userId,
        'direct_debit_sent',
        `${row.name}: ${euros(debit.amountCents)} to be collected by direct debit on ${collectionDate}`,
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.direct_debit_collection.create',
      objectType: 'coop_direct_debit_collection',
      objectId: collection!.id,
      organizationId: clubId,
      details: { debits: debits.length, total_cents: collection!.totalCents.toString() },
    });
    return collection!;
  });
}

interface MandateRow {
  id: string;
  reference: string;
  account_holder: string;
  iban: string;
  bic: string | null;
  signed_on: string;
}

/** FRST for a mandate nothing was collected with yet (nor is on its way), RCUR after. */
async function sequenceTypes(tx: Db, mandateIds: string[]): Promise<(mandateId: string) => SequenceType> {
  const used =
    mandateIds.length === 0
      ? []
      : await tx
          .selectDistinct({ mandateId: directDebits.mandateId })
          .from(directDebits)
          .where(
            and(
              inArray(directDebits.mandateId, mandateIds),
              sql`(${directDebits.state} IN ('sent', 'collected') OR ${directDebits.collectedAt} IS NOT NULL)`,
            ),
          );
  const recurring = new Set(used.map((u) => u.mandateId));
  return (mandateId) => (recurring.has(mandateId) ? 'RCUR' : 'FRST');
}

export interface CollectionView extends Collection {
  items: (DirectDebitRow & { orderNumber: number; householdName: string })[];
}

/** The club's collections with their debits, newest first (the bookkeeper, the Admin). */
export async function listCollections(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<CollectionView[]> {
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  const collections = await deps.db
    .select()
    .from(directDebitCollections)
    .where(eq(directDebitCollections.clubId, clubId))
    .orderBy(desc(directDebitCollections.createdAt), desc(directDebitCollections.id));
  const items = await queryRows<{ id: string; number: number; name: string }>(
    deps.db,
    sql`SELECT d.id, o.number, h.name FROM coop_direct_debits d
        JOIN coop_orders o ON o.id = d.order_id JOIN coop_households h ON h.id = d.household_id
        WHERE d.club_id = ${clubId}`,
  );
  const labels = new Map(items.map((row) => [row.id, row]));
  const debits = await deps.db
    .select()
    .from(directDebits)
    .where(eq(directDebits.clubId, clubId))
    .orderBy(directDebits.endToEndId);
  return collections.map((collection) => ({
    ...collection,
    items: debits
      .filter((d) => d.collectionId === collection.id)
      .map((d) => ({ ...d, orderNumber: labels.get(d.id)!.number, householdName: labels.get(d.id)!.name })),
  }));
}

async function findCollection(
  deps: CoopDeps,
  db: Db,
  actor: Actor,
  collectionId: string,
  mode: 'read' | 'change',
) {
  const [collection] = isUuid(collectionId)
    ? await db.select().from(directDebitCollections).where(eq(directDebitCollections.id, collectionId))
    : [];
  if (!collection) throw notFound('collection', { id: collectionId });
  const standing = await orderStanding(deps, db, actor, collection.clubId, mode, {
    kind: 'collection',
    id: collectionId,
  });
  requireRight(standing.books, 'only the bookkeeper or the Admin collects bills by direct debit');
  return collection;
}

export async function getCollection(deps: CoopDeps, actor: Actor, collectionId: string): Promise<Collection> {
  return findCollection(deps, deps.db, actor, collectionId, 'read');
}

/**
 * The bookkeeper cancels a collection the bank has not carried out (they withdrew the file at the
 * bank, or never uploaded it): its bills are collectable again. Once a statement shows money of it,
 * arrived or returned, it stands.
 */
export async function cancelCollection(
  deps: CoopDeps,
  actor: Actor,
  collectionId: string,
): Promise<Collection> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    await findCollection(deps, tx, actor, collectionId, 'change');
    const [collection] = await tx
      .select()
      .from(directDebitCollections)
      .where(eq(directDebitCollections.id, collectionId))
      .for('update');
    if (collection!.state === 'cancelled')
      throw coopErrors.error('collection_cancelled', 'the collection is cancelled already');
    const items = await tx
      .select()
      .from(directDebits)
      .where(eq(directDebits.collectionId, collectionId))
      .for('update');
    if (items.some((item) => item.state !== 'sent'))
      throw coopErrors.error(
        'collection_arrived',
        'the statement shows money of this collection arrived or returned: it stands',
      );
    const now = deps.clock.now();
    await tx
      .update(directDebits)
      .set({ state: 'cancelled' })
      .where(eq(directDebits.collectionId, collectionId));
    const [cancelled] = await tx
      .update(directDebitCollections)
      .set({ state: 'cancelled', cancelledBy: userId, cancelledAt: now })
      .where(eq(directDebitCollections.id, collectionId))
      .returning();
    for (const item of items) {
      await addEvent(
        tx,
        deps,
        item.orderId,
        userId,
        'direct_debit_cancelled',
        'A direct debit was cancelled',
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.direct_debit_collection.cancel',
      objectType: 'coop_direct_debit_collection',
      objectId: collectionId,
      organizationId: collection!.clubId,
    });
    return cancelled!;
  });
}

/**
 * The debit a statement's line is the money of: a credit for the debit's amount while it is sent,
 * or a debit (the household's bank returned it) while it is sent or collected. Null otherwise: the
 * line then goes the way of any other.
 */
export async function directDebitOf(
  tx: Db,
  clubId: string,
  line: StatementLine,
): Promise<DirectDebitRow | null> {
  if (!line.endToEndId) return null;
  const [debit] = await tx
    .select()
    .from(directDebits)
    .where(and(eq(directDebits.clubId, clubId), eq(directDebits.endToEndId, line.endToEndId)))
    .for('update');
  if (!debit) return null;
  if (line.direction === 'credit')
    return debit.state === 'sent' && debit.amountCents === line.amountMinor ? debit : null;
  return debit.state === 'sent' || debit.state === 'collected' ? debit : null;
}

/**
 * Settles a debit with its statement line, kept already as `lineId`. Its money arrived: the bill is
 * paid as a transfer would pay it (if it was paid otherwise meanwhile, the line waits for the
 * bookkeeper). The debit's amount was fixed when it was collected, so when it no longer makes the
 * bill's total with what was received before (a correction changed the bill, or part was paid
 * otherwise), the line waits as a bad amount for the bookkeeper to confirm, as a transfer would.
 * It came back before its money was recorded (it never arrived, or its line still waited): the
 * bill is flagged bad for the household to pay by transfer, the ledger does not move, and a line
 * still waiting is set aside, since that money left again. It came back after: the money left
 * again, the household's balance owes it once more (a reversing transfer), and the order says so;
 * the bill stays paid, since its order may be finished.
 */
export async function settleDirectDebit(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  debit: DirectDebitRow,
  line: StatementLine,
  lineId: string,
): Promise<'matched' | 'unmatched' | 'bad_amount' | 'outgoing'> {
  const now = deps.clock.now();
  const order = await findOrder(tx, debit.orderId, true);
  const [bill] = await queryRows<{ state: string; total: string; received: string }>(
    tx,
    sql`SELECT payment_state AS state, total_cents::text AS total, received_cents::text AS received
        FROM coop_bills WHERE order_id = ${debit.orderId} AND household_id = ${debit.householdId} FOR UPDATE`,
  );
  const payable = order.status === 'processed' && bill !== undefined && bill.state !== 'paid';
  const tie = (state: 'matched' | 'unmatched' | 'bad_amount' | 'outgoing') =>
    tx
      .update(bankLines)
      .set({
        state,
        orderId: debit.orderId,
        householdId: debit.householdId,
        confidence: 100,
        decidedAt: state === 'matched' ? now : null,
      })
      .where(eq(bankLines.id, lineId));
  if (line.direction === 'credit') {
    await tx
      .update(directDebits)
      .set({ state: 'collected', collectedAt: now })
      .where(eq(directDebits.id, debit.id));
    if (!payable) {
      await tie('unmatched');
      return 'unmatched';
    }
    if (BigInt(bill.received) + debit.amountCents !== BigInt(bill.total)) {
      await tie('bad_amount');
      return 'bad_amount';
    }
    await receivePayment(deps, tx, actor, order, debit.householdId, `direct debit, ${line.bankId}`);
    await tie('matched');
    return 'matched';
  }
  await tx
    .update(directDebits)
    .set({ state: 'returned', returnedAt: now })
    .where(eq(directDebits.id, debit.id));
  const returned = `the direct debit of ${euros(debit.amountCents)} (${debit.endToEndId}) was returned by the household’s bank`;
  // Only an arrival whose line paid a bill or was assigned moved the ledger: that is what a return takes back.
  const arrivals =
    debit.state === 'collected'
      ? await tx
          .select({ id: bankLines.id, state: bankLines.state })
          .from(bankLines)
          .where(
            and(
              eq(bankLines.clubId, debit.clubId),
              eq(bankLines.direction, 'credit'),
              eq(bankLines.endToEndId, debit.endToEndId),
            ),
          )
          .for('update')
      : [];
  const recorded = arrivals.some((a) => a.state === 'matched' || a.state === 'assigned');
  if (!recorded) {
    const waiting = arrivals.filter((a) => a.state === 'unmatched' || a.state === 'bad_amount');
    if (waiting.length > 0)
      await tx
        .update(bankLines)
        .set({ state: 'ignored', decidedAt: now })
        .where(
          inArray(
            bankLines.id,
            waiting.map((a) => a.id),
          ),
        );
    if (payable)
      await flagBadIn(deps, tx, actor, order, debit.householdId, {
        reason: 'other',
        text: `${returned}: please pay by bank transfer`,
      });
  } else {
    await postCoopTransfers(tx, deps.clock, [
      {
        id: coopTransferId('direct-debit-return', debit.id),
        debitAccountId: coopAccountIds.household(debit.householdId),
        creditAccountId: coopAccountIds.bank(order.clubId),
        amount: debit.amountCents,
        code: 'coop_payment_return',
        metadata: {
          order_id: order.id,
          order_number: order.number,
          household_id: debit.householdId,
          kind: 'payment_return',
          bank_line_id: lineId,
        },
      },
    ]);
    await addEvent(
      tx,
      deps,
      order.id,
      requireUser(actor),
      'direct_debit_returned',
      `${returned}: the household’s balance owes it again`,
    );
  }
  await tie('matched');
  return 'outgoing';
}
