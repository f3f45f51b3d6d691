import { and, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { formatCreditorReference } from '../../core/banking/creditor-reference';
import { type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { smaller } from '../../core/money';
import { notifyAll } from '../../core/notifications/service';
import { settleWaitingPayouts } from '../books/payouts';
import type { CoopDeps } from '../deps';
import { COOP_NOTIFICATIONS, coopNotifier } from '../notifications';
import { type BillTotals, billTotals } from '../pricing';
import { bills, orders } from '../schema';
import {
  addEvent,
  euros,
  findOrder,
  householdPeople,
  type Order,
  orderFor,
  orderLink,
  requireRight,
  requireStatus,
} from './access';
import {
  type BillingRow,
  balancesAhead,
  billMetadata,
  changeSummary,
  finishIfSettled,
  priceOrderLines,
  vatRatesJson,
} from './billing';
import { paymentReference } from './household-orders';
import { coopAccountIds, coopTransferId, ensureCoopAccounts, postCoopTransfers } from './ledger';
import { orderMachine } from './state';

/**
 * Corrections after an order was processed or finished. The bookkeeper (or the Admin) reopens the
 * order with a reason: it goes back to Closed, where its delivery checks can be reopened and changed
 * as before. When every delivery is confirmed again, each bill is priced anew; a bill that changed is
 * never edited in the ledger: its old total is reversed and the new one posted, both naming the
 * correction and its reason, and the household is told what changed and why. The order is then
 * processed again, and finished once everything is settled again.
 */

export const REOPEN_REASON_MAX = 500;

export async function reopenOrder(
  deps: CoopDeps,
  actor: Actor,
  orderId: string,
  reason: string,
): Promise<Order> {
  const userId = requireUser(actor);
  const why = reason.trim();
  if (!why) throw new AppError('validation_failed', 'say why the order is reopened', { field: 'reason' });
  if (why.length > REOPEN_REASON_MAX)
    throw new AppError('validation_failed', `say it in at most ${REOPEN_REASON_MAX} characters`, {
      field: 'reason',
    });
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.books, 'only the bookkeeper or the Admin reopens an order to correct it');
    requireStatus(order, 'processed', 'finished');
    const now = deps.clock.now();
    await tx
      .update(orders)
      .set({
        status: orderMachine.move(order.status, 'closed'),
        corrections: order.corrections + 1,
        reopenedAt: now,
        reopenedBy: userId,
        reopenReason: why,
        finishedAt: null,
        updatedAt: now,
      })
      .where(eq(orders.id, order.id));
    await addEvent(tx, deps, order.id, userId, 'reopened', `Reopened for a correction: ${why}`);
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.order.reopened',
      objectType: 'coop_order',
      objectId: order.id,
      organizationId: order.clubId,
      details: { reason: why, correction: order.corrections + 1, was: order.status },
    });
    return findOrder(tx, order.id);
  });
}

/** Whether the order is in a correction: reopened after it was processed, not processed again yet. */
export const inCorrection = (order: Pick<Order, 'status' | 'corrections'>): boolean =>
  order.status === 'closed' && order.corrections > 0;

/**
 * The bookkeeper settles a correction whose deliveries are all confirmed (nothing needed a new
 * check, or the last confirmation came before): the bills are priced anew as when the last
 * delivery is confirmed.
 */
export async function settleCorrection(deps: CoopDeps, actor: Actor, orderId: string): Promise<Order> {
  return deps.db.transaction(async (tx) => {
    const { order, standing } = await orderFor(deps, tx, actor, orderId, 'change');
    requireRight(standing.books, 'only the bookkeeper or the Admin settles a correction');
    if (!inCorrection(order)) throw new AppError('conflict', 'the order is not reopened for a correction');
    const waiting = await queryRows<{ name: string }>(
      tx,
      sql`SELECT p.name FROM coop_order_producers op JOIN coop_producers p ON p.id = op.producer_id
          WHERE op.order_id = ${order.id} AND op.answer = 'available' AND op.delivery_confirmed_at IS NULL
          ORDER BY p.name`,
    );
    if (waiting.length > 0)
      throw new AppError(
        'conflict',
        `confirm every delivery first: ${waiting.map((w) => w.name).join(', ')}`,
      );
    await billCorrection(deps, tx, actor, order);
    return findOrder(tx, order.id);
  });
}

interface BillChange {
  householdId: string;
  before: { totalCents: bigint; vatCents: bigint; receivedCents: bigint } | null;
  totals: BillTotals;
  rows: BillingRow[];
}

/** A changed bill once billed anew: what it holds as received, its reference, and its household's balance. */
interface CorrectedBill extends BillChange {
  receivedCents: bigint;
  reference: string;
  balance: bigint;
}

/**
 * Bills a corrected order again, in the transaction that confirmed its last delivery (or settled
 * the correction), under the order's lock: every bill whose total or VAT changed is reversed and
 * posted anew, its payment state follows what was received, and its household is told.
 */
export async function billCorrection(deps: CoopDeps, tx: Db, actor: Actor, order: Order): Promise<void> {
  const status = orderMachine.move(order.status, 'processed');
  const now = deps.clock.now();
  const round = order.corrections;
  const reason = order.reopenReason ?? '';
  const { byHousehold } = await priceOrderLines(deps, tx, order);
  const existing = await tx.select().from(bills).where(eq(bills.orderId, order.id)).for('update');
  const before = new Map(existing.map((bill) => [bill.householdId, bill]));
  const householdIds = new Set([...byHousehold.keys(), ...before.keys()]);
  const changes: BillChange[] = [];
  for (const householdId of householdIds) {
    const entry = byHousehold.get(householdId);
    const totals = billTotals(entry?.lines ?? []);
    const old = before.get(householdId);
    if (old && old.totalCents === totals.totalCents && old.vatCents === totals.vatCents) continue;
    changes.push({
      householdId,
      before: old
        ? { totalCents: old.totalCents, vatCents: old.vatCents, receivedCents: old.receivedCents }
        : null,
      totals,
      rows: entry?.rows ?? [],
    });
  }
  await ensureCoopAccounts(tx, deps.clock, order.clubId, { households: changes.map((c) => c.householdId) });
  const correction = { round, reason };
  await postCoopTransfers(
    tx,
    deps.clock,
    changes.flatMap((change) => {
      const old = before.get(change.householdId);
      return [
        ...(old && old.totalCents > 0n
          ? [
              {
                id: coopTransferId('bill-reversal', order.id, change.householdId, String(round)),
                debitAccountId: coopAccountIds.sales(order.clubId),
                creditAccountId: coopAccountIds.household(change.householdId),
                amount: old.totalCents,
                code: 'coop_bill_reversal',
                metadata: billMetadata(
                  order,
                  change.householdId,
                  'bill_reversal',
                  {
                    netCents: old.netCents,
                    vatCents: old.vatCents,
                    totalCents: old.totalCents,
                    byVatRate: old.byVatRate.map((rate) => ({
                      vatBasisPoints: BigInt(rate.vat_basis_points),
                      netCents: BigInt(rate.net_cents),
                      vatCents: BigInt(rate.vat_cents),
                    })),
                  },
                  correction,
                ),
              },
            ]
          : []),
        ...(change.totals.totalCents > 0n
          ? [
              {
                id: coopTransferId('bill', order.id, change.householdId, String(round)),
                debitAccountId: coopAccountIds.household(change.householdId),
                creditAccountId: coopAccountIds.sales(order.clubId),
                amount: change.totals.totalCents,
                code: 'coop_bill',
                metadata: billMetadata(order, change.householdId, 'bill', change.totals, correction),
              },
            ]
          : []),
      ];
    }),
  );
  // What was received stays received; a bill still owed draws on what its household has ahead.
  const ahead = await balancesAhead(
    tx,
    order.clubId,
    changes.map((c) => c.householdId),
  );
  const corrected: CorrectedBill[] = [];
  for (const change of changes) {
    const total = change.totals.totalCents;
    let received = change.before?.receivedCents ?? 0n;
    if (received < total) {
      // The balance as if this bill were paid: above zero, the household has that much ahead.
      const free = (ahead.get(change.householdId) ?? 0n) + (total - received);
      if (free > 0n) received += smaller(free, total - received);
    }
    const paid = received >= total;
    const values = {
      netCents: change.totals.netCents,
      vatCents: change.totals.vatCents,
      totalCents: total,
      byVatRate: vatRatesJson(change.totals),
      receivedCents: received,
      paymentState: paid ? ('paid' as const) : ('due' as const),
      badReason: null,
      badText: null,
      fixNote: null,
      fixedAt: null,
    };
    const old = before.get(change.householdId);
    const reference = old?.reference ?? paymentReference(order, change.householdId);
    if (old) {
      await tx
        .update(bills)
        .set({ ...values, paidAt: paid ? (old.paidAt ?? now) : null })
        .where(and(eq(bills.orderId, order.id), eq(bills.householdId, change.householdId)));
    } else {
      await tx.insert(bills).values({
        orderId: order.id,
        householdId: change.householdId,
        reference,
        createdAt: now,
        paidAt: paid ? now : null,
        ...values,
      });
    }
    // The ledger's balance is final here: every transfer of the correction is posted above.
    corrected.push({
      ...change,
      receivedCents: received,
      reference,
      balance: ahead.get(change.householdId) ?? 0n,
    });
  }
  await tx.update(orders).set({ status, processedAt: now, updatedAt: now }).where(eq(orders.id, order.id));
  await addEvent(
    tx,
    deps,
    order.id,
    null,
    'corrected',
    changes.length === 0
      ? `Correction ${round} settled: no bill changed`
      : `Correction ${round} settled: ${changes.length === 1 ? 'one bill' : `${changes.length} bills`} changed`,
  );
  await tellHouseholdsOfCorrection(deps, tx, order, corrected);
  await finishIfSettled(deps, tx, { ...order, status });
  await settleWaitingPayouts(deps, tx, actor, order.id);
}

async function tellHouseholdsOfCorrection(
  deps: CoopDeps,
  tx: Db,
  order: Order,
  changes: readonly CorrectedBill[],
): Promise<void> {
  if (changes.length === 0) return;
  // What the correction changed: the products whose check was changed since the order was reopened.
  const changed = await queryRows<{ household_id: string; product_id: string }>(
    tx,
    sql`SELECT DISTINCT household_id, product_id FROM coop_bill_changes
        WHERE order_id = ${order.id} AND changed_at >= ${order.reopenedAt ?? new Date(0)}`,
  );
  const touched = new Set(changed.map((c) => `${c.household_id}|${c.product_id}`));
  const people = await householdPeople(tx, order.clubId);
  const notices = [];
  for (const change of changes) {
    const rows = change.rows.filter((row) => touched.has(`${change.householdId}|${row.product_id}`));
    const sentences = changeSummary(rows);
    const was = change.before?.totalCents ?? 0n;
    const total = change.totals.totalCents;
    const owed = total - change.receivedCents;
    const body = [
      `Order ${order.number} was corrected: ${order.reopenReason}`,
      sentences.length > 0 ? `What changed:\n${sentences.join('\n')}` : '',
      `Your bill went from ${euros(was)} to ${euros(total)}.`,
      owed > 0n
        ? `To pay: ${euros(owed)}, with the reference ${formatCreditorReference(change.reference)}.`
        : change.balance > 0n
          ? `Nothing more to pay: ${euros(change.balance)} is on your household’s balance for the next bills.`
          : 'Nothing more to pay.',
    ]
      .filter(Boolean)
      .join('\n\n');
    for (const person of people.filter((p) => p.householdId === change.householdId)) {
      notices.push({
        userId: person.userId,
        type: COOP_NOTIFICATIONS.orderCorrected,
        title: `Order ${order.number} was corrected: your bill is now ${euros(total)}`,
        body,
        link: orderLink(order),
        dedupeKey: `order_corrected:${order.id}:${order.corrections}`,
      });
    }
  }
  await notifyAll(tx, coopNotifier(deps), notices);
}
