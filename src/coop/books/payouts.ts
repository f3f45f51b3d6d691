import { and, desc, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { creditTransferXml } from '../../core/banking/pain001';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { isUuid, newId } from '../../core/ids';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { addEvent, findOrder, orderStanding, requireRight } from '../orders/access';
import { payInvoiceIn } from '../orders/billing';
import { bankLines, clubBankAccounts, orderProducers, paymentBatches } from '../schema';

export type PaymentBatch = typeof paymentBatches.$inferSelect;

/** The id a producer's payment carries to the bank and back on the statement: the order and the producer. */
export const payoutEndToEndId = (orderNumber: number, producerId: string): string =>
  `TALLY-O${orderNumber}-${producerId.replaceAll('-', '').slice(0, 12).toUpperCase()}`;

interface Payable {
  order_id: string;
  order_number: number;
  producer_id: string;
  producer_name: string;
  iban: string | null;
  account_holder: string | null;
  invoice_cents: string | null;
  invoice_paid_at: string | null;
  payment_sent_at: string | null;
  status: string;
}

/**
 * The bookkeeper picks producers' invoices to pay and gets one SEPA credit transfer file for the
 * bank; the invoices are then "payment sent", and paid once a statement shows the money left.
 * Every invoice must be uploaded, unpaid, not in another file, its order processed, and its
 * producer's IBAN known; the club's own account pays.
 */
export async function createPaymentBatch(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  input: { invoices: { orderId: string; producerId: string }[]; executionDate?: string },
): Promise<PaymentBatch> {
  const userId = requireUser(actor);
  if (input.invoices.length === 0)
    throw new AppError('validation_failed', 'choose at least one invoice to pay', { field: 'invoices' });
  return deps.db.transaction(async (tx) => {
    const standing = await orderStanding(deps, tx, actor, clubId, 'change', { kind: 'club', id: clubId });
    requireRight(standing.books, 'only the bookkeeper or the Admin pays producers');
    const [account] = await tx.select().from(clubBankAccounts).where(eq(clubBankAccounts.clubId, clubId));
    if (!account)
      throw coopErrors.error('club_account_missing', 'set the club’s bank account first: it pays');
    const chosen: Payable[] = [];
    for (const { orderId, producerId } of input.invoices) {
      const [row] =
        isUuid(orderId) && isUuid(producerId)
          ? await queryRows<Payable>(
              tx,
              sql`SELECT a.order_id, o.number AS order_number, a.producer_id, p.name AS producer_name, p.iban,
                    p.account_holder, a.invoice_cents::text AS invoice_cents, a.invoice_paid_at, a.payment_sent_at, o.status
                  FROM coop_order_producers a
                  JOIN coop_orders o ON o.id = a.order_id
                  JOIN coop_producers p ON p.id = a.producer_id
                  WHERE a.order_id = ${orderId} AND a.producer_id = ${producerId} AND o.club_id = ${clubId}
                  FOR UPDATE OF a`,
            )
          : [];
      if (!row) throw notFound('invoice', { order_id: orderId, producer_id: producerId });
      const what = `${row.producer_name}’s invoice for order ${row.order_number}`;
      if (row.invoice_cents === null)
        throw coopErrors.error('invoice_missing', `${what} has not been uploaded`);
      if (row.invoice_paid_at) throw coopErrors.error('invoice_paid', `${what} is paid`);
      if (row.payment_sent_at)
        throw coopErrors.error('invoice_payment_sent', `${what} is in a payment file already`);
      if (row.status !== 'processed')
        throw coopErrors.error('order_finished', `order ${row.order_number} is ${row.status}`);
      if (!row.iban)
        throw coopErrors.error(
          'producer_without_iban',
          `${row.producer_name} has no IBAN: its liaison adds one`,
          {
            producer_id: row.producer_id,
          },
        );
      if (BigInt(row.invoice_cents) === 0n) throw new AppError('validation_failed', `${what} is for nothing`);
      if (chosen.some((c) => c.order_id === row.order_id && c.producer_id === row.producer_id))
        throw new AppError('validation_failed', `${what} is chosen twice`, { field: 'invoices' });
      chosen.push(row);
    }
    const now = deps.clock.now();
    const executionDate = input.executionDate ?? now.toISOString().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(executionDate) || executionDate < now.toISOString().slice(0, 10))
      throw new AppError('validation_failed', 'the payment day is today or later (YYYY-MM-DD)', {
        field: 'execution_date',
      });
    const [count] = await queryRows<{ n: number }>(
      tx,
      sql`SELECT count(*)::int AS n FROM coop_payment_batches WHERE club_id = ${clubId}`,
    );
    const messageId = `TALLY-PAY-${now.toISOString().slice(0, 10).replaceAll('-', '')}-${(count?.n ?? 0) + 1}`;
    const transfers = chosen.map((row) => ({
      endToEndId: payoutEndToEndId(row.order_number, row.producer_id),
      amountCents: BigInt(row.invoice_cents!),
      creditorName: row.account_holder || row.producer_name,
      creditorIban: row.iban!,
      remittance: `Invoice for order ${row.order_number}, ${row.producer_name}`,
    }));
    const xml = creditTransferXml({
      messageId,
      createdAt: now,
      executionDate,
      debtorName: account.accountHolder,
      debtorIban: account.iban,
      debtorBic: account.bic,
      transfers,
    });
    const [batch] = await tx
      .insert(paymentBatches)
      .values({
        id: newId(),
        clubId,
        messageId,
        executionDate,
        transfers: transfers.length,
        totalCents: transfers.reduce((sum, t) => sum + t.amountCents, 0n),
        xml,
        createdBy: userId,
        createdAt: now,
      })
      .returning();
    for (const row of chosen) {
      await tx
        .update(orderProducers)
        .set({ paymentBatchId: batch!.id, paymentSentAt: now })
        .where(and(eq(orderProducers.orderId, row.order_id), eq(orderProducers.producerId, row.producer_id)));
      await addEvent(
        tx,
        deps,
        row.order_id,
        userId,
        'invoice_payment_sent',
        `${row.producer_name}: payment sent to the bank`,
      );
    }
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.payment_batch.create',
      objectType: 'coop_payment_batch',
      objectId: batch!.id,
      organizationId: clubId,
      details: { transfers: transfers.length, total_cents: batch!.totalCents.toString() },
    });
    return batch!;
  });
}

/** The club's payment files, newest first (the bookkeeper, the Admin). */
export async function listPaymentBatches(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<PaymentBatch[]> {
  const standing = await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  requireRight(standing.books, 'only the bookkeeper or the Admin sees the payment files');
  return deps.db
    .select()
    .from(paymentBatches)
    .where(eq(paymentBatches.clubId, clubId))
    .orderBy(desc(paymentBatches.createdAt), desc(paymentBatches.id));
}

export async function getPaymentBatch(deps: CoopDeps, actor: Actor, batchId: string): Promise<PaymentBatch> {
  const [batch] = isUuid(batchId)
    ? await deps.db.select().from(paymentBatches).where(eq(paymentBatches.id, batchId))
    : [];
  if (!batch) throw notFound('payment file', { id: batchId });
  const standing = await orderStanding(deps, deps.db, actor, batch.clubId, 'read', {
    kind: 'payment file',
    id: batchId,
  });
  requireRight(standing.books, 'only the bookkeeper or the Admin sees the payment files');
  return batch;
}

/**
 * A statement's outgoing line that is a payment Tally sent (its end-to-end id, its amount): the
 * invoice is paid. Returns the order it paid for, or null when the line is no such payment, or its
 * order is reopened for a correction: then the line is kept as outgoing, waiting, and the correction
 * settles it when it bills the order again (`settleWaitingPayouts`), so one producer's payment never
 * holds up the rest of a statement.
 */
export async function settleOutgoing(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  clubId: string,
  line: { endToEndId: string | null; amountMinor: bigint },
): Promise<string | null> {
  if (!line.endToEndId) return null;
  const [sent] = await queryRows<{
    order_id: string;
    producer_id: string;
    number: number;
    invoice_cents: string;
  }>(
    tx,
    sql`SELECT a.order_id, a.producer_id, o.number, a.invoice_cents::text AS invoice_cents
        FROM coop_order_producers a JOIN coop_orders o ON o.id = a.order_id
        WHERE o.club_id = ${clubId} AND a.payment_sent_at IS NOT NULL AND a.invoice_paid_at IS NULL`,
  ).then((rows) => rows.filter((r) => payoutEndToEndId(r.number, r.producer_id) === line.endToEndId));
  if (!sent || BigInt(sent.invoice_cents) !== line.amountMinor) return null;
  const order = await findOrder(tx, sent.order_id, true);
  if (order.status !== 'processed') return null;
  await payInvoiceIn(deps, tx, actor, order, sent.producer_id, 'the bank statement shows it paid');
  return order.id;
}

/**
 * Pays the order's invoices whose payment a statement showed leaving while the order was reopened
 * for a correction: their lines were kept as outgoing and waited. Runs in the transaction that
 * processes the order again, under its lock.
 */
export async function settleWaitingPayouts(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  orderId: string,
): Promise<void> {
  const order = await findOrder(tx, orderId, true);
  if (order.status !== 'processed') return;
  const sent = await queryRows<{ producer_id: string; invoice_cents: string }>(
    tx,
    sql`SELECT producer_id, invoice_cents::text AS invoice_cents FROM coop_order_producers
        WHERE order_id = ${order.id} AND payment_sent_at IS NOT NULL AND invoice_paid_at IS NULL
        ORDER BY producer_id`,
  );
  for (const invoice of sent) {
    const [line] = await tx
      .select()
      .from(bankLines)
      .where(
        and(
          eq(bankLines.clubId, order.clubId),
          eq(bankLines.direction, 'debit'),
          eq(bankLines.state, 'outgoing'),
          eq(bankLines.endToEndId, payoutEndToEndId(order.number, invoice.producer_id)),
          eq(bankLines.amountCents, BigInt(invoice.invoice_cents)),
        ),
      )
      .orderBy(bankLines.bookedOn, bankLines.createdAt)
      .limit(1)
      .for('update');
    if (!line) continue;
    const now = await findOrder(tx, order.id);
    if (now.status !== 'processed') return;
    await payInvoiceIn(deps, tx, actor, now, invoice.producer_id, 'the bank statement shows it paid');
    await tx
      .update(bankLines)
      .set({ state: 'matched', orderId: order.id, confidence: 100, decidedAt: deps.clock.now() })
      .where(eq(bankLines.id, line.id));
  }
}
