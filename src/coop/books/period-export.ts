import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../../core/actor';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import type { CoopDeps } from '../deps';
import { orderStanding, requireRight } from '../orders/access';
import { COOP_LEDGER, coopAccountIds } from '../orders/ledger';
import { producerInvoiceKey } from '../orders/producer-invoices';
import { byRate, expectedInvoiceSplits, fitted, signed, splitsOf, type VatSplit } from './period-export-vat';

/**
 * The accountant's view of a period: every transfer the ledger posted on the club's accounts
 * between two dates, sorted into the sections a bookkeeper hands over (bills and their
 * corrections, households' payments, producers' invoices and their payments), with VAT per rate,
 * the club's margin, and a tie-out of each account's movement against the ledger's own sums.
 *
 * Built from the ledger, not from the bills' and invoices' rows, so its sums are the ledger's by
 * construction; the rows only lend names and the split of an amount per VAT rate. Dates are the
 * club's days in UTC: a club keeps no time zone, and the ledger stamps transfers in UTC.
 */

/** A year and a month's grace: a yearly closing with the month after it fits, a decade does not. */
export const EXPORT_MAX_DAYS = 400;

const DAY_MS = 86_400_000;

export interface ExportPeriod {
  /** The first and last day, inclusive, as YYYY-MM-DD. */
  from: string;
  to: string;
  /** The instants it covers: `start` inclusive, `end` (the day after `to`) exclusive. */
  start: Date;
  end: Date;
}

function day(text: string, field: 'from' | 'to'): Date {
  const date = new Date(`${text}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(text) ||
    Number.isNaN(date.getTime()) ||
    date.toISOString().slice(0, 10) !== text
  )
    throw new AppError('validation_failed', `${field}: a day as YYYY-MM-DD`, { field });
  return date;
}

/** The period between two days, both included; refused when it runs backwards or past `EXPORT_MAX_DAYS`. */
export function exportPeriod(from: string, to: string): ExportPeriod {
  const start = day(from, 'from');
  const last = day(to, 'to');
  if (last < start)
    throw new AppError('validation_failed', 'to: the last day comes after the first', { field: 'to' });
  const days = (last.getTime() - start.getTime()) / DAY_MS + 1;
  if (days > EXPORT_MAX_DAYS)
    throw new AppError(
      'validation_failed',
      `to: a period is at most ${EXPORT_MAX_DAYS} days (this one is ${days})`,
      {
        field: 'to',
      },
    );
  return { from, to, start, end: new Date(last.getTime() + DAY_MS) };
}

export type EntryKind =
  | 'bill'
  | 'bill_reversal'
  | 'payment'
  | 'payment_return'
  | 'invoice'
  | 'invoice_payment'
  | 'other';

export interface ExportEntry {
  transferId: string;
  at: Date;
  kind: EntryKind;
  /** The ledger's transfer code, for the rows of `other`. */
  code: string;
  orderNumber: number | null;
  /** The household or the producer. */
  party: string;
  /** What the transfer moved, always above zero; the section says which way. */
  amountCents: bigint;
  /** Bills, their reversals and invoices: the amount per VAT rate, summing to it. */
  byVatRate: VatSplit[];
  /** A corrected bill's round (1, 2…) and the reason given. */
  correction: number | null;
  reason: string | null;
  debitAccountId: string;
  creditAccountId: string;
}

export type TiedAccount = 'sales' | 'bank' | 'purchases' | 'households' | 'producers';

export interface TieOut {
  account: TiedAccount;
  /** Credits less debits posted in the period, summed by the ledger itself. */
  ledgerCents: bigint;
  /** The same, summed from the export's sections. */
  exportCents: bigint;
}

export interface PeriodExport {
  club: { id: string; name: string };
  period: ExportPeriod;
  madeAt: Date;
  entries: ExportEntry[];
  vat: { sales: VatSplit[]; purchases: VatSplit[] };
  totals: {
    billsCents: bigint;
    billReversalsCents: bigint;
    /** Bills less their reversals: the sales account's movement. */
    salesCents: bigint;
    paymentsCents: bigint;
    /** Of the payments, those made ahead of any bill. */
    paidAheadCents: bigint;
    /** Direct debits returned after their money arrived. */
    paymentReturnsCents: bigint;
    invoicesCents: bigint;
    invoicePaymentsCents: bigint;
  };
  margin: { netCents: bigint; withVatCents: bigint };
  tieOut: TieOut[];
}

/**
 * The club's margin for a period, as the export states it: what the ledger posted to sales (bills
 * less the bills reversed by corrections) less what it posted to purchases (producers' invoices,
 * which the ledger posts when they are paid), both in the period. Before VAT it is the bills' net
 * less the invoices' net; an amount whose VAT split is not known counts at its total, so an
 * invoice of unknown VAT never makes the margin look larger. With VAT it is the sales account's
 * movement less the purchases account's, to the cent.
 */
export const MARGIN_DEFINITION =
  'Margin = sales less purchases posted in the period: the bills’ net (less bills reversed by corrections) less the producers’ invoices’ net (an invoice is posted when it is paid; one whose VAT is not known counts at its total). With VAT: the sales account’s movement less the purchases account’s.';

const Metadata = z
  .object({
    kind: z.string().optional(),
    order_id: z.string().optional(),
    order_number: z.number().optional(),
    household_id: z.string().optional(),
    producer_id: z.string().optional(),
    correction: z.union([z.number(), z.string()]).optional(),
    reason: z.string().optional(),
    by_vat_rate: z.unknown().optional(),
  })
  .passthrough();
type Metadata = z.infer<typeof Metadata>;

interface TransferRow {
  id: string;
  code: string;
  amount: string;
  debit_account_id: string;
  credit_account_id: string;
  metadata: Metadata;
  created_at: Date | string;
}

const POSTED = sql`t.kind IN ('posted', 'post_pending')`;

const kindOf = (code: string, meta: Metadata): EntryKind => {
  // A correction's reversal has a code of its own; its kind says the same.
  if (code === 'coop_bill_reversal' || meta.kind === 'bill_reversal') return 'bill_reversal';
  if (code === 'coop_bill') return 'bill';
  if (code === 'coop_payment') return 'payment';
  // A direct debit that came back after its money arrived: the household owes it again.
  if (code === 'coop_payment_return') return 'payment_return';
  if (code === 'coop_invoice') return 'invoice';
  if (code === 'coop_invoice_payment') return 'invoice_payment';
  return 'other';
};

/** The club's name and the accounts every household and producer of it holds. */
async function clubAccounts(db: Db, clubId: string) {
  const [club] = await queryRows<{ name: string }>(
    db,
    sql`SELECT name FROM core_organizations WHERE id = ${clubId}`,
  );
  if (!club) throw notFound('club', { id: clubId });
  const households = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT id, name FROM coop_households WHERE club_id = ${clubId}`,
  );
  const producers = await queryRows<{ id: string; name: string }>(
    db,
    sql`SELECT id, name FROM coop_producers WHERE club_id = ${clubId}`,
  );
  return {
    name: club.name,
    households: new Map(households.map((h) => [h.id, h.name])),
    producers: new Map(producers.map((p) => [p.id, p.name])),
  };
}

/** Credits less debits posted on each account in the period, as the ledger sums them. */
async function ledgerMovements(db: Db, accountIds: readonly string[], period: ExportPeriod) {
  if (accountIds.length === 0) return 0n;
  const [row] = await queryRows<{ net: string }>(
    db,
    sql`SELECT coalesce(sum(CASE WHEN t.credit_account_id = a.id THEN t.amount ELSE -t.amount END), 0)::text AS net
        FROM unnest(${sql.param([...accountIds])}::uuid[]) AS a(id)
        JOIN ledger_transfers t ON (t.debit_account_id = a.id OR t.credit_account_id = a.id)
        WHERE t.ledger = ${COOP_LEDGER} AND ${POSTED} AND t.created_at >= ${period.start} AND t.created_at < ${period.end}`,
  );
  return BigInt(row!.net);
}

/** The export of a period, from the ledger (no rights checked: `readPeriodExport` checks them). */
export async function buildPeriodExport(
  db: Db,
  clubId: string,
  period: ExportPeriod,
  madeAt: Date,
): Promise<PeriodExport> {
  const club = await clubAccounts(db, clubId);
  const accounts = {
    sales: coopAccountIds.sales(clubId),
    bank: coopAccountIds.bank(clubId),
    purchases: coopAccountIds.purchases(clubId),
  };
  // Every transfer of the club touches its sales, bank or purchases: a bill and its reversal the
  // sales, a payment in or out the bank, an invoice the purchases.
  const rows = await queryRows<TransferRow>(
    db,
    sql`SELECT t.id, t.code, t.amount::text AS amount, t.debit_account_id, t.credit_account_id, t.metadata, t.created_at
        FROM ledger_transfers t
        WHERE t.ledger = ${COOP_LEDGER} AND ${POSTED}
          AND (t.debit_account_id = ANY(${sql.param(Object.values(accounts))}::uuid[])
               OR t.credit_account_id = ANY(${sql.param(Object.values(accounts))}::uuid[]))
          AND t.created_at >= ${period.start} AND t.created_at < ${period.end}
        ORDER BY t.seq`,
  );
  const transfers = rows.map((row) => {
    const parsed = Metadata.safeParse(row.metadata);
    const meta: Metadata = parsed.success ? parsed.data : {};
    return { row, meta, kind: kindOf(row.code, meta), amount: BigInt(row.amount) };
  });
  // A bill's split per rate: its transfer's own, else the bill's row (the current one, for a reversal of old).
  const billed = transfers.filter(
    (t) =>
      (t.kind === 'bill' || t.kind === 'bill_reversal') &&
      !splitsOf(t.meta.by_vat_rate) &&
      t.meta.order_id &&
      t.meta.household_id,
  );
  const billRows = billed.length
    ? await queryRows<{ order_id: string; household_id: string; by_vat_rate: unknown }>(
        db,
        sql`SELECT b.order_id, b.household_id, b.by_vat_rate FROM coop_bills b
            JOIN unnest(${sql.param(billed.map((t) => t.meta.order_id!))}::uuid[],
                        ${sql.param(billed.map((t) => t.meta.household_id!))}::uuid[]) AS k(order_id, household_id)
              ON b.order_id = k.order_id AND b.household_id = k.household_id`,
      )
    : [];
  const billSplits = new Map(
    billRows.map((b) => [`${b.order_id}|${b.household_id}`, splitsOf(b.by_vat_rate)]),
  );
  const invoiced = transfers.filter((t) => t.kind === 'invoice' && t.meta.order_id && t.meta.producer_id);
  const invoiceSplits = await expectedInvoiceSplits(
    db,
    invoiced.map((t) => ({ orderId: t.meta.order_id!, producerId: t.meta.producer_id! })),
  );

  const entries: ExportEntry[] = transfers.map(({ row, meta, kind, amount }) => {
    const party =
      (meta.household_id && club.households.get(meta.household_id)) ||
      (meta.producer_id && club.producers.get(meta.producer_id)) ||
      '';
    let byVatRate: VatSplit[] = [];
    if (kind === 'bill' || kind === 'bill_reversal')
      byVatRate = fitted(
        splitsOf(meta.by_vat_rate) ?? billSplits.get(`${meta.order_id}|${meta.household_id}`) ?? null,
        amount,
      );
    if (kind === 'invoice')
      byVatRate = fitted(
        invoiceSplits.get(producerInvoiceKey({ orderId: meta.order_id!, producerId: meta.producer_id! })) ??
          null,
        amount,
      );
    const correction = meta.correction === undefined ? null : Number(meta.correction);
    return {
      transferId: row.id,
      at: new Date(row.created_at),
      kind,
      code: row.code,
      orderNumber: meta.order_number ?? null,
      party,
      amountCents: amount,
      byVatRate,
      correction: Number.isInteger(correction) ? correction : null,
      reason: meta.reason ?? null,
      debitAccountId: row.debit_account_id,
      creditAccountId: row.credit_account_id,
    };
  });

  const sum = (kind: EntryKind, where: (e: ExportEntry) => boolean = () => true) =>
    entries.filter((e) => e.kind === kind && where(e)).reduce((total, e) => total + e.amountCents, 0n);
  const totals = {
    billsCents: sum('bill'),
    billReversalsCents: sum('bill_reversal'),
    salesCents: sum('bill') - sum('bill_reversal'),
    paymentsCents: sum('payment'),
    paidAheadCents: sum('payment', (e) => e.orderNumber === null),
    paymentReturnsCents: sum('payment_return'),
    invoicesCents: sum('invoice'),
    invoicePaymentsCents: sum('invoice_payment'),
  };
  const sales = byRate(entries.flatMap((e) => signed(e, 'bill', 'bill_reversal')));
  const purchases = byRate(entries.flatMap((e) => signed(e, 'invoice', null)));
  const net = (splits: VatSplit[]) => splits.reduce((total, s) => total + s.netCents, 0n);

  const householdAccounts = [...club.households.keys()].map(coopAccountIds.household);
  const producerAccounts = [...club.producers.keys()].map(coopAccountIds.producer);
  // The sections' sums, each kind by the accounts it moves (README "Money in the ledger").
  const others = (accountIds: readonly string[]) => {
    const ids = new Set(accountIds);
    return entries
      .filter((e) => e.kind === 'other')
      .reduce(
        (total, e) =>
          total +
          (ids.has(e.creditAccountId) ? e.amountCents : 0n) -
          (ids.has(e.debitAccountId) ? e.amountCents : 0n),
        0n,
      );
  };
  const fromSections: Record<TiedAccount, bigint> = {
    sales: totals.salesCents + others([accounts.sales]),
    bank:
      totals.invoicePaymentsCents +
      totals.paymentReturnsCents -
      totals.paymentsCents +
      others([accounts.bank]),
    purchases: -totals.invoicesCents + others([accounts.purchases]),
    households:
      totals.paymentsCents - totals.paymentReturnsCents - totals.salesCents + others(householdAccounts),
    producers: totals.invoicesCents - totals.invoicePaymentsCents + others(producerAccounts),
  };
  const fromLedger: Record<TiedAccount, bigint> = {
    sales: await ledgerMovements(db, [accounts.sales], period),
    bank: await ledgerMovements(db, [accounts.bank], period),
    purchases: await ledgerMovements(db, [accounts.purchases], period),
    households: await ledgerMovements(db, householdAccounts, period),
    producers: await ledgerMovements(db, producerAccounts, period),
  };
  return {
    club: { id: clubId, name: club.name },
    period,
    madeAt,
    entries,
    vat: { sales, purchases },
    totals,
    margin: {
      netCents: net(sales) - net(purchases),
      withVatCents: totals.salesCents - totals.invoicesCents,
    },
    tieOut: (Object.keys(fromLedger) as TiedAccount[]).map((account) => ({
      account,
      ledgerCents: fromLedger[account],
      exportCents: fromSections[account],
    })),
  };
}

/** The export of a period for the bookkeeper or the Admin; anyone outside the club finds no club. */
export async function readPeriodExport(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  days: { from: string; to: string },
): Promise<PeriodExport> {
  const standing = await orderStanding(deps, deps.db, actor, clubId, 'read', { kind: 'club', id: clubId });
  requireRight(standing.books, 'only the bookkeeper or the Admin exports the club’s books');
  return buildPeriodExport(deps.db, clubId, exportPeriod(days.from, days.to), deps.clock.now());
}
