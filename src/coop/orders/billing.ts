import { and, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { formatCreditorReference } from '../../core/banking/creditor-reference';
import { type Db, inSlices, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { type StoredFile, saveUpload } from '../../core/files/service';
import { isUuid } from '../../core/ids';
import { larger, smaller } from '../../core/money';
import { notifyAll } from '../../core/notifications/service';
import { getAccountHistory } from '../../ledger/service';
import { CLUB_PERMISSIONS } from '../clubs/kind';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { type BillTotals, billTotals, type PricedLine } from '../pricing';
import { type BadPaymentReason, bills, type DeliveryOutcome, orderProducers, orders } from '../schema';
import {
  addEvent,
  euros,
  findOrder,
  householdPeople,
  type Order,
  orderFor,
  orderLink,
  orderStanding,
  peopleWith,
  requireRight,
  requireStatus,
  speaksFor,
} from './access';
import { billLine, formatQuantity, versionTermsOf } from './bill-lines';
import { paymentReference } from './household-orders';
import {
  coopAccountIds,
  coopTransferId,
  ensureCoopAccounts,
  householdBalance,
  postCoopTransfers,
} from './ledger';
import { orderMachine } from './state';

export interface BillingRow {
  household_id: string;
  product_id: string;
  producer_id: string;
  name: string;
  unit: string;
  quantity: number;
  allotted: number;
  delivered_items: number | null;
  weights: string[] | null;
  estimate: boolean;
  amount_per_package: string;
  packages: number;
  price_cents: string;
  vat_basis_points: number;
  margin_basis_points: number | null;
  outcome: DeliveryOutcome;
  comment: string;
  changed_price_cents: string | null;
}

/** An order's lines priced from what was delivered, grouped by household. */
export interface PricedOrder {
  rows: BillingRow[];
  byHousehold: Map<string, { rows: BillingRow[]; lines: PricedLine[] }>;
}

/**
 * Prices every line of the order from what its delivery check recorded and writes each line's
 * net, VAT and total: what processing bills and what a correction bills again.
 */
export async function priceOrderLines(deps: CoopDeps, tx: Db, order: Order): Promise<PricedOrder> {
  const now = deps.clock.now();
  const rows = await queryRows<BillingRow>(
    tx,
    sql`SELECT l.household_id, l.product_id, l.producer_id, v.name, v.unit, l.quantity, coalesce(l.allotted, l.quantity) AS allotted, l.delivered_items,
          l.weights, v.estimate, v.amount_per_package::text AS amount_per_package, v.packages,
          v.price_cents::text AS price_cents, v.vat_basis_points, v.margin_basis_points, op.outcome, op.comment,
          op.changed_price_cents::text AS changed_price_cents
        FROM coop_order_lines l
        JOIN coop_product_versions v ON v.product_id = l.product_id AND v.version = l.version
        JOIN coop_order_products op ON op.order_id = l.order_id AND op.product_id = l.product_id
        WHERE l.order_id = ${order.id}`,
  );
  const priced = rows.map((row) => {
    const terms = versionTermsOf(row);
    const line = billLine(terms, row.changed_price_cents === null ? null : BigInt(row.changed_price_cents), {
      outcome: row.outcome,
      allotted: row.allotted ?? 0,
      deliveredItems: row.delivered_items,
      weights: row.weights?.map(BigInt) ?? null,
    });
    return { row, line };
  });
  if (priced.length > 0) {
    await tx.execute(sql`
      UPDATE coop_order_lines l SET net_cents = p.net, vat_cents = p.vat, total_cents = p.total, updated_at = ${now}
      FROM unnest(${sql.param(priced.map((p) => p.row.household_id))}::uuid[],
                  ${sql.param(priced.map((p) => p.row.product_id))}::uuid[],
                  ${sql.param(priced.map((p) => p.line.netCents.toString()))}::numeric[],
                  ${sql.param(priced.map((p) => p.line.vatCents.toString()))}::numeric[],
                  ${sql.param(priced.map((p) => p.line.totalCents.toString()))}::numeric[])
           AS p(household_id, product_id, net, vat, total)
      WHERE l.order_id = ${order.id} AND l.household_id = p.household_id AND l.product_id = p.product_id`);
  }
  const byHousehold = new Map<string, { rows: BillingRow[]; lines: PricedLine[] }>();
  for (const { row, line } of priced) {
    const entry = byHousehold.get(row.household_id) ?? { rows: [], lines: [] };
    entry.rows.push(row);
    entry.lines.push(line);
    byHousehold.set(row.household_id, entry);
  }
  return { rows, byHousehold };
}

/** A bill's net and VAT per rate, as bills keep them and bill transfers carry them. */
export const vatRatesJson = (totals: BillTotals) =>
  totals.byVatRate.map((rate) => ({
    vat_basis_points: rate.vatBasisPoints.toString(),
    net_cents: rate.netCents.toString(),
    vat_cents: rate.vatCents.toString(),
  }));

/**
 * What households paid ahead (their balance above zero), by household account, read under the
 * accounts' locks: a bill that draws on it holds them until it is posted, so two bills at once cannot
 * spend the same credit. The club's sales account, which the bills post to next, is locked in the same
 * sweep and by id, as the ledger locks accounts, so two such transactions wait in turn instead of
 * deadlocking.
 */
export async function balancesAhead(
  tx: Db,
  clubId: string,
  householdIds: readonly string[],
): Promise<Map<string, bigint>> {
  if (householdIds.length === 0) return new Map();
  const ids = [coopAccountIds.sales(clubId), ...householdIds.map((id) => coopAccountIds.household(id))];
  const rows = await queryRows<{ id: string; net: string }>(
    tx,
    sql`SELECT id, (credits_posted - debits_posted)::text AS net FROM ledger_accounts
        WHERE id = ANY(${sql.param(ids)}::uuid[]) ORDER BY id FOR UPDATE`,
  );
  const byAccount = new Map(rows.map((row) => [row.id, BigInt(row.net)]));
  return new Map(householdIds.map((id) => [id, byAccount.get(coopAccountIds.household(id)) ?? 0n]));
}

/**
 * Once every delivery is confirmed: each line is priced from what was delivered, each household's
 * bill is written and posted to the ledger (the household owes the club), and its members are told
 * the food is ready, what changed against what they ordered, and what to pay. A bill of nothing is
 * paid by itself. Runs in the confirming transaction, under the order's lock.
 */
export async function processOrder(deps: CoopDeps, tx: Db, order: Order): Promise<void> {
  orderMachine.move(order.status, 'processed');
  const now = deps.clock.now();
  const { rows, byHousehold } = await priceOrderLines(deps, tx, order);
  const householdIds = [...byHousehold.keys()];
  await ensureCoopAccounts(tx, deps.clock, order.clubId, {
    households: householdIds,
    producers: [...new Set(rows.map((r) => r.producer_id))],
  });
  // What a household paid ahead (its balance above zero) pays its bill first.
  const balanceOf = await balancesAhead(tx, order.clubId, householdIds);
  const billRows = householdIds.map((householdId) => {
    const totals = billTotals(byHousehold.get(householdId)!.lines);
    const credit = balanceOf.get(householdId) ?? 0n;
    const fromBalance = credit > 0n ? smaller(credit, totals.totalCents) : 0n;
    return { householdId, totals, fromBalance };
  });
  if (billRows.length > 0) {
    await inSlices(
      billRows.map(({ householdId, totals, fromBalance }) => ({
        orderId: order.id,
        householdId,
        netCents: totals.netCents,
        vatCents: totals.vatCents,
        totalCents: totals.totalCents,
        reference: paymentReference(order, householdId),
        byVatRate: vatRatesJson(totals),
        receivedCents: fromBalance,
        paymentState: fromBalance === totals.totalCents ? ('paid' as const) : ('due' as const),
        paidAt: fromBalance === totals.totalCents ? now : null,
        createdAt: now,
      })),
      (slice) => tx.insert(bills).values(slice),
    );
  }
  await postCoopTransfers(
    tx,
    deps.clock,
    billRows
      .filter(({ totals }) => totals.totalCents > 0n)
      .map(({ householdId, totals }) => ({
        id: coopTransferId('bill', order.id, householdId),
        debitAccountId: coopAccountIds.household(householdId),
        creditAccountId: coopAccountIds.sales(order.clubId),
        amount: totals.totalCents,
        code: 'coop_bill',
        metadata: billMetadata(order, householdId, 'bill', totals),
      })),
  );
  await tx
    .update(orders)
    .set({ status: 'processed', processedAt: now, updatedAt: now })
    .where(eq(orders.id, order.id));
  await addEvent(
    tx,
    deps,
    order.id,
    null,
    'processed',
    'Every delivery is confirmed: bills are out, food is ready to pick up',
  );
  await tellHouseholdsFoodIsReady(deps, tx, order, byHousehold, billRows);
  await finishIfSettled(deps, tx, { ...order, status: 'processed' });
}

/** What a bill's transfer says of it: the order, the household, and the bill's net and VAT per rate. */
export function billMetadata(
  order: Order,
  householdId: string,
  kind: 'bill' | 'bill_reversal',
  totals: BillTotals,
  correction?: { round: number; reason: string },
): Record<string, unknown> {
  return {
    order_id: order.id,
    order_number: order.number,
    household_id: householdId,
    kind,
    net_cents: totals.netCents.toString(),
    vat_cents: totals.vatCents.toString(),
    by_vat_rate: vatRatesJson(totals),
    ...(correction ? { correction: correction.round, reason: correction.reason } : {}),
  };
}

/** What changed for a household against what it ordered, one sentence per product. */
export function changeSummary(rows: readonly BillingRow[]): string[] {
  const sentences: string[] = [];
  for (const row of rows) {
    const name = row.name;
    if (row.quantity === 0) {
      sentences.push(`${name}: you took ${row.delivered_items} that nobody had ordered.`);
      continue;
    }
    if (row.outcome === 'not_available') {
      sentences.push(
        `${name}: not available this time${row.comment ? ` (${row.comment})` : ''}; you pay nothing for it.`,
      );
      continue;
    }
    if (row.outcome === 'missing') {
      sentences.push(`${name}: missing from the delivery (${row.comment}); you pay nothing for it.`);
      continue;
    }
    const allotted = row.allotted ?? row.quantity;
    if (allotted < row.quantity)
      sentences.push(`${name}: ${allotted} of the ${row.quantity} you ordered (it ran short).`);
    if (row.weights && row.weights.length > 0) {
      const weighed = row.weights.reduce((sum, w) => sum + BigInt(w), 0n);
      sentences.push(`${name}: weighed ${formatQuantity(weighed, row.unit)}.`);
    } else if (row.delivered_items !== null && row.delivered_items !== allotted) {
      sentences.push(`${name}: ${row.delivered_items} delivered instead of ${allotted}.`);
    }
    if (row.changed_price_cents !== null && row.changed_price_cents !== row.price_cents) {
      sentences.push(
        `${name}: the producer’s price changed from ${euros(BigInt(row.price_cents))} to ${euros(BigInt(row.changed_price_cents))} per ${row.unit}.`,
      );
    }
  }
  return sentences;
}

async function tellHouseholdsFoodIsReady(
  deps: CoopDeps,
  tx: Db,
  order: Order,
  byHousehold: ReadonlyMap<string, { rows: BillingRow[] }>,
  billRows: readonly { householdId: string; totals: { totalCents: bigint }; fromBalance: bigint }[],
): Promise<void> {
  const people = await householdPeople(tx, order.clubId);
  const notices = billRows.flatMap(({ householdId, totals, fromBalance }) => {
    const changes = changeSummary(byHousehold.get(householdId)!.rows);
    const owed = totals.totalCents - fromBalance;
    const body = [
      order.pickup ? `Pick it up: ${order.pickup}.` : 'Your food is ready to pick up.',
      changes.length > 0 ? `What changed:\n${changes.join('\n')}` : 'Everything came as you ordered it.',
      ...(fromBalance > 0n
        ? [`${euros(fromBalance)} of the ${euros(totals.totalCents)} is paid from your household’s balance.`]
        : []),
      owed > 0n
        ? `To pay: ${euros(owed)}, with the reference ${formatCreditorReference(paymentReference(order, householdId))}.`
        : 'There is nothing to pay.',
    ].join('\n\n');
    return people
      .filter((p) => p.householdId === householdId)
      .map((person) => ({
        userId: person.userId,
        type: COOP_NOTIFICATIONS.orderReady,
        title: `Order ${order.number}: your food is ready${owed > 0n ? `, ${euros(owed)} to pay` : ''}`,
        body,
        link: orderLink(order),
        dedupeKey: `order_ready:${order.id}`,
      }));
  });
  await notifyAll(tx, coopNotifier(deps), notices);
}

/** Finishes a processed order once every bill is paid and every invoice owed is paid. */
export async function finishIfSettled(deps: CoopDeps, tx: Db, order: Order): Promise<boolean> {
  if (order.status !== 'processed') return false;
  const [open] = await queryRows<{ bills: number; invoices: number }>(
    tx,
    sql`SELECT
          (SELECT count(*)::int FROM coop_bills WHERE order_id = ${order.id} AND payment_state <> 'paid') AS bills,
          (SELECT count(*)::int FROM coop_order_producers WHERE order_id = ${order.id} AND answer = 'available'
             AND coalesce(expected_invoice_cents, 0) > 0 AND invoice_paid_at IS NULL) AS invoices`,
  );
  if (open!.bills > 0 || open!.invoices > 0) return false;
  const now = deps.clock.now();
  await tx
    .update(orders)
    .set({ status: orderMachine.move(order.status, 'finished'), finishedAt: now, updatedAt: now })
    .where(eq(orders.id, order.id));
  await addEvent(tx, deps, order.id, null, 'finished', 'Finished: every bill and every invoice is paid');
  return true;
}

async function lockedBill(tx: Db, order: Order, householdId: string) {
  const [bill] = isUuid(householdId)
    ? await tx
        .select()
        .from(bills)
        .where(and(eq(bills.orderId, order.id), eq(bills.householdId, householdId)))
        .for('update')
    : [];
  if (!bill) throw notFound('bill', { order_id: order.id, household_id: householdId });
  if (bill.paymentState === 'paid') throw coopErrors.error('bill_settled', 'the household’s bill is paid');
  return bill;
}

/** Records money the club received from a household for an order: the household's account is credited. */
async function receive(
  deps: CoopDeps,
  tx: Db,
  order: Order,
  householdId: string,
  received: bigint,
  amount: bigint,
) {
  if (amount <= 0n) return;
  await postCoopTransfers(tx, deps.clock, [
    {
      // Named by what was received before it: marking the same payment twice finds it there.
      id: coopTransferId('payment', order.id, householdId, received.toString()),
      debitAccountId: coopAccountIds.bank(order.clubId),
      creditAccountId: coopAccountIds.household(householdId),
      amount,
      code: 'coop_payment',
      metadata: {
        order_id: order.id,
        order_number: order.number,
        household_id: householdId,
        kind: 'payment',
      },
    },
  ]);
}

/** The bookkeeper marks a household's payment for an order received: what was still owed is recorded. */
export async function markPaymentReceived(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  householdId: string,
): Promise<Order> {
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.books, 'only the bookkeeper or the Admin marks payments');
    await receivePayment(deps, tx, actor, order, householdId, 'marked by hand');
    return findOrder(tx, order.id);
  });
}

/**
 * Marks a household's bill paid in the caller's transaction, with the order locked by it: what was
 * still owed is posted as received (the bookkeeper's click, or a bank line that matched it). A bill
 * paid already is refused (`bill_settled`); the order finishes once everything is settled.
 */
export async function receivePayment(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  order: Order,
  householdId: string,
  how: string,
): Promise<void> {
  const userId = requireUser(actor);
  requireStatus(order, 'processed');
  const bill = await lockedBill(tx, order, householdId);
  const owed = bill.totalCents - bill.receivedCents;
  await receive(deps, tx, order, householdId, bill.receivedCents, owed);
  const now = deps.clock.now();
  await tx
    .update(bills)
    .set({
      paymentState: 'paid',
      receivedCents: owed > 0n ? bill.totalCents : bill.receivedCents,
      badReason: null,
      badText: null,
      paidAt: now,
      checkedBy: userId,
    })
    .where(and(eq(bills.orderId, order.id), eq(bills.householdId, householdId)));
  const name = await householdName(tx, householdId);
  await addEvent(tx, deps, order.id, userId, 'payment_received', `${name}: payment received (${how})`);
  await recordAudit(tx, deps.clock, actor, {
    action: 'coop.payment.received',
    objectType: 'coop_bill',
    objectId: `${order.id}:${householdId}`,
    organizationId: order.clubId,
    details: { amount_cents: (owed > 0n ? owed : 0n).toString(), how },
  });
  await finishIfSettled(deps, tx, order);
}

export interface BadPayment {
  reason: BadPaymentReason;
  /**
   * With `bad_amount`: everything that arrived for the bill, in cents, what was received before
   * included; what it adds is recorded as received.
   */
  paidCents?: bigint;
  /** With `other`: what is wrong, in words. */
  text?: string;
}

/**
 * The bookkeeper flags a bad payment (the seed's `BadPaymentReason`): missing, the wrong amount (what
 * was paid is recorded as received), or something else in words. The household is told and asked to
 * put it right; the bill stays open until the bookkeeper marks it received.
 */
export async function flagBadPayment(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  householdId: string,
  input: BadPayment,
): Promise<Order> {
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.books, 'only the bookkeeper or the Admin flags payments');
    await flagBadIn(deps, tx, actor, order, householdId, input);
    return findOrder(tx, order.id);
  });
}

/** Flags a bad payment in the caller's transaction, with the order locked by it. */
export async function flagBadIn(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  order: Order,
  householdId: string,
  input: BadPayment,
): Promise<void> {
  const userId = requireUser(actor);
  requireStatus(order, 'processed');
  const bill = await lockedBill(tx, order, householdId);
  const text = input.text?.trim() ?? '';
  let received = bill.receivedCents;
  let words: string;
  switch (input.reason) {
    case 'payment_missing':
      words = `no payment of ${euros(bill.totalCents - bill.receivedCents)} has arrived yet`;
      break;
    case 'bad_amount': {
      if (input.paidCents === undefined || input.paidCents < 0n)
        throw new AppError('validation_failed', 'say how much was paid', { field: 'paid' });
      // What arrived in all never shrinks: less than is received already would record nothing and
      // tell the household a smaller amount than it paid.
      if (input.paidCents < bill.receivedCents)
        throw new AppError(
          'validation_failed',
          `${euros(bill.receivedCents)} is received already: say everything that arrived for the bill, that included`,
          { field: 'paid' },
        );
      if (input.paidCents === bill.totalCents)
        throw new AppError('validation_failed', 'that is the amount of the bill: mark it received', {
          field: 'paid',
        });
      await receive(deps, tx, order, householdId, received, input.paidCents - received);
      received = larger(input.paidCents, received);
      words = `${euros(input.paidCents)} arrived, but the bill is ${euros(bill.totalCents)}: ${
        input.paidCents < bill.totalCents
          ? `please pay the ${euros(bill.totalCents - input.paidCents)} missing`
          : `${euros(input.paidCents - bill.totalCents)} too much stays on your household’s balance`
      }`;
      break;
    }
    case 'other':
      if (!text)
        throw new AppError('validation_failed', 'say what is wrong with the payment', { field: 'text' });
      words = text;
      break;
  }
  await tx
    .update(bills)
    .set({
      paymentState: 'bad',
      badReason: input.reason,
      badText: input.reason === 'other' ? text : words,
      receivedCents: received,
      fixNote: null,
      fixedAt: null,
      checkedBy: userId,
    })
    .where(and(eq(bills.orderId, order.id), eq(bills.householdId, householdId)));
  const name = await householdName(tx, householdId);
  await addEvent(
    tx,
    deps,
    order.id,
    userId,
    'bad_payment',
    `${name}: payment flagged (${input.reason.replace('_', ' ')})`,
  );
  await notifyAll(
    tx,
    coopNotifier(deps),
    (await householdPeople(tx, order.clubId))
      .filter((p) => p.householdId === householdId)
      .map((person) => ({
        userId: person.userId,
        type: COOP_NOTIFICATIONS.badPayment,
        title: `Order ${order.number}: something is wrong with your payment`,
        body: `${words[0]!.toUpperCase()}${words.slice(1)}. Put it right, then tell the bookkeeper on the order’s page. Reference: ${formatCreditorReference(paymentReference(order, householdId))}.`,
        link: orderLink(order),
        dedupeKey: `bad_payment:${order.id}:${deps.clock.now().toISOString()}`,
      })),
  );
}

/** A member of the household says it put a bad payment right; the bookkeeper is told to check. */
export async function reportPaymentFixed(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  note: string,
): Promise<Order> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'processed');
    if (!standing.householdId) throw new AppError('forbidden', 'you are in no household of this club');
    const bill = await lockedBill(tx, order, standing.householdId);
    if (bill.paymentState !== 'bad')
      throw new AppError('conflict', 'the bookkeeper has not flagged this payment');
    const now = deps.clock.now();
    await tx
      .update(bills)
      .set({ fixNote: note.trim(), fixedAt: now })
      .where(and(eq(bills.orderId, order.id), eq(bills.householdId, standing.householdId)));
    const name = await householdName(tx, standing.householdId);
    await addEvent(tx, deps, order.id, userId, 'payment_fixed', `${name}: says the payment is put right`);
    await notifyAll(
      tx,
      coopNotifier(deps),
      (await peopleWith(deps, tx, order.clubId, CLUB_PERMISSIONS.books)).map((person) => ({
        userId: person,
        type: COOP_NOTIFICATIONS.paymentFixed,
        title: `Order ${order.number}: ${name} put its payment right`,
        body: note.trim() || `${name} says its payment is now right. Check it and mark it received.`,
        link: orderLink(order),
        dedupeKey: `payment_fixed:${order.id}:${standing.householdId}:${now.toISOString()}`,
      })),
    );
    return findOrder(tx, order.id);
  });
}

async function householdName(tx: Db, householdId: string): Promise<string> {
  const [row] = await queryRows<{ name: string }>(
    tx,
    sql`SELECT name FROM coop_households WHERE id = ${householdId}`,
  );
  return row?.name ?? 'A household';
}

export const INVOICE_MAX_BYTES = 10 * 1024 * 1024;

/** The liaison (or the bookkeeper) uploads the producer's invoice for the order: a PDF or a photo of it. */
export async function uploadInvoice(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
  input: { name: string; bytes: Buffer; amountCents: bigint },
): Promise<Order> {
  const userId = requireUser(actor);
  // The bytes are kept first (a file without a row is never served); the row names them in the change.
  const order0 = await findOrder(deps.db, orderId);
  const standing0 = await orderStanding(deps, deps.db, actor, order0.clubId, 'read', {
    kind: 'order',
    id: orderId,
  });
  requireRight(
    speaksFor(standing0, producerId) || standing0.books,
    'only the producer’s liaison, the bookkeeper or the Admin uploads its invoice',
  );
  // Refused before its bytes are kept, so a refusal leaves nothing behind; checked again under the lock.
  const [part0] = isUuid(producerId)
    ? await deps.db
        .select()
        .from(orderProducers)
        .where(and(eq(orderProducers.orderId, order0.id), eq(orderProducers.producerId, producerId)))
    : [];
  if (part0) requireInvoiceChangeable(part0);
  const file: StoredFile = await saveUpload(deps.files, actor, {
    name: input.name,
    bytes: input.bytes,
    allowed: ['application/pdf', 'image/png', 'image/jpeg'],
    maxBytes: INVOICE_MAX_BYTES,
  });
  return deps.db.transaction(async (tx) => {
    const { order } = await orderFor(deps, tx, actor, orderId, 'change');
    requireStatus(order, 'closed', 'processed');
    const part = await lockedPart(tx, order, producerId);
    if (!part.deliveryConfirmedAt)
      throw new AppError('conflict', 'confirm the delivery first: the invoice is for what was delivered');
    requireInvoiceChangeable(part);
    await tx
      .update(orderProducers)
      .set({
        invoiceFileId: file.id,
        invoiceCents: input.amountCents,
        invoiceUploadedBy: userId,
        invoiceUploadedAt: deps.clock.now(),
      })
      .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)));
    const [producer] = await queryRows<{ name: string }>(
      tx,
      sql`SELECT name FROM coop_producers WHERE id = ${producerId}`,
    );
    await addEvent(
      tx,
      deps,
      order.id,
      userId,
      'invoice',
      `${producer!.name}: invoice of ${euros(input.amountCents)} uploaded`,
    );
    return findOrder(tx, order.id);
  });
}

/**
 * An invoice is replaced only until the club pays it: once its payment file went to the bank, the
 * amount the bank pays and the statement is matched by is fixed.
 */
function requireInvoiceChangeable(part: typeof orderProducers.$inferSelect): void {
  if (part.invoicePaidAt) throw coopErrors.error('invoice_paid', 'the invoice is paid');
  if (part.paymentSentAt)
    throw coopErrors.error(
      'invoice_payment_sent',
      'the invoice is in a payment file sent to the bank already: it cannot change',
    );
}

async function lockedPart(tx: Db, order: Order, producerId: string) {
  const [part] = isUuid(producerId)
    ? await tx
        .select()
        .from(orderProducers)
        .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)))
        .for('update')
    : [];
  if (part?.answer !== 'available') throw notFound('producer', { id: producerId });
  return part;
}

/** The invoice's bytes, for the producer's liaison, order managers, the bookkeeper and the Admin. */
export async function readInvoice(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
): Promise<{ name: string; contentType: string; bytes: Buffer }> {
  const order = await findOrder(deps.db, orderId);
  const standing = await orderStanding(deps, deps.db, actor, order.clubId, 'read', {
    kind: 'order',
    id: orderId,
  });
  requireRight(
    speaksFor(standing, producerId) || standing.books,
    'only who deals with the producer reads its invoice',
  );
  const [row] = isUuid(producerId)
    ? await queryRows<{ id: string; name: string; content_type: string }>(
        deps.db,
        sql`SELECT f.id, f.name, f.content_type FROM coop_order_producers p JOIN core_files f ON f.id = p.invoice_file_id
            WHERE p.order_id = ${order.id} AND p.producer_id = ${producerId}`,
      )
    : [];
  if (!row) throw notFound('invoice', { order_id: orderId, producer_id: producerId });
  return { name: row.name, contentType: row.content_type, bytes: await deps.files.store.read(row.id) };
}

/**
 * The bookkeeper marks the producer's invoice paid: the ledger records what the club owed the
 * producer and the payment from the club's bank, together.
 */
export async function markInvoicePaid(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  producerId: string,
): Promise<Order> {
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.books, 'only the bookkeeper or the Admin marks invoices paid');
    await payInvoiceIn(deps, tx, actor, order, producerId, 'marked by hand');
    return findOrder(tx, order.id);
  });
}

/** Marks a producer's invoice paid in the caller's transaction, with the order locked by it. */
export async function payInvoiceIn(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  order: Order,
  producerId: string,
  how: string,
): Promise<void> {
  const userId = requireUser(actor);
  requireStatus(order, 'processed');
  const part = await lockedPart(tx, order, producerId);
  if (!part.invoiceFileId || part.invoiceCents === null)
    throw coopErrors.error('invoice_missing', 'upload the invoice first');
  if (part.invoicePaidAt) throw coopErrors.error('invoice_paid', 'the invoice is paid');
  await ensureCoopAccounts(tx, deps.clock, order.clubId, { producers: [producerId] });
  const metadata = { order_id: order.id, order_number: order.number, producer_id: producerId };
  if (part.invoiceCents > 0n) {
    await postCoopTransfers(tx, deps.clock, [
      {
        id: coopTransferId('invoice', order.id, producerId),
        debitAccountId: coopAccountIds.purchases(order.clubId),
        creditAccountId: coopAccountIds.producer(producerId),
        amount: part.invoiceCents,
        code: 'coop_invoice',
        flags: { linked: true },
        metadata: { ...metadata, kind: 'invoice' },
      },
      {
        id: coopTransferId('invoice-paid', order.id, producerId),
        debitAccountId: coopAccountIds.producer(producerId),
        creditAccountId: coopAccountIds.bank(order.clubId),
        amount: part.invoiceCents,
        code: 'coop_invoice_payment',
        metadata: { ...metadata, kind: 'invoice_payment' },
      },
    ]);
  }
  await tx
    .update(orderProducers)
    .set({ invoicePaidAt: deps.clock.now(), invoicePaidBy: userId })
    .where(and(eq(orderProducers.orderId, order.id), eq(orderProducers.producerId, producerId)));
  const [producer] = await queryRows<{ name: string }>(
    tx,
    sql`SELECT name FROM coop_producers WHERE id = ${producerId}`,
  );
  await addEvent(tx, deps, order.id, userId, 'invoice_paid', `${producer!.name}: invoice paid (${how})`);
  await recordAudit(tx, deps.clock, actor, {
    action: 'coop.invoice.paid',
    objectType: 'coop_order',
    objectId: order.id,
    organizationId: order.clubId,
    details: { producer_id: producerId, amount_cents: part.invoiceCents.toString(), how },
  });
  await finishIfSettled(deps, tx, order);
}

export interface HouseholdAccountEntry {
  at: Date;
  /**
   * `bill_reversal`: a correction took a bill back; the corrected bill follows it. `payment_return`:
   * the household's bank returned a direct debit after its money arrived, so the household owes it again.
   */
  kind: 'bill' | 'bill_reversal' | 'payment' | 'payment_return';
  /** The order's correction a bill or reversal belongs to; null for a first bill and payments. */
  correction: number | null;
  reason: string | null;
  /** Null for a payment made ahead of any bill. */
  orderId: string | null;
  orderNumber: number | null;
  /** What it moved on the household's balance: a bill or a returned debit negative, a payment positive. */
  amountCents: bigint;
  balanceCents: bigint;
}

/** A household's balance with the club (below zero: it owes) and every bill and payment behind it, newest first. */
export async function householdAccount(
  deps: CoopDeps,
  actor: Actor,
  householdId: string,
): Promise<{ balanceCents: bigint; entries: HouseholdAccountEntry[] }> {
  const [household] = isUuid(householdId)
    ? await queryRows<{ club_id: string }>(
        deps.db,
        sql`SELECT club_id FROM coop_households WHERE id = ${householdId}`,
      )
    : [];
  if (!household) throw notFound('household', { id: householdId });
  const standing = await orderStanding(deps, deps.db, actor, household.club_id, 'read', {
    kind: 'household',
    id: householdId,
  });
  requireRight(
    standing.householdId === householdId || standing.books || standing.runsProducers,
    'only its members and the bookkeeper see a household’s account',
  );
  const balanceCents = await householdBalance(deps.db, householdId);
  if (balanceCents === 0n) {
    const [any] = await queryRows<{ id: string }>(
      deps.db,
      sql`SELECT id FROM ledger_accounts WHERE id = ${coopAccountIds.household(householdId)}`,
    );
    if (!any) return { balanceCents, entries: [] };
  }
  const entries: HouseholdAccountEntry[] = [];
  let cursor: string | undefined;
  do {
    const page = await getAccountHistory({ db: deps.db }, coopAccountIds.household(householdId), {
      cursor,
      limit: 200,
    });
    for (const entry of page.items) {
      // A payment made ahead of any bill names no order.
      const meta = entry.transfer.metadata as {
        order_id?: string;
        order_number?: number;
        kind: HouseholdAccountEntry['kind'];
        correction?: number;
        reason?: string;
      };
      entries.push({
        at: entry.transfer.createdAt,
        kind: meta.kind,
        correction: meta.correction ?? null,
        reason: meta.reason ?? null,
        orderId: meta.order_id ?? null,
        orderNumber: meta.order_number ?? null,
        amountCents: entry.side === 'credit' ? entry.transfer.amount : -entry.transfer.amount,
        balanceCents: entry.balance.creditsPosted - entry.balance.debitsPosted,
      });
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return { balanceCents, entries: entries.reverse() };
}
