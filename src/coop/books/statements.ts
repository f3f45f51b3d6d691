import { and, desc, eq, sql } from 'drizzle-orm';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { parseCamt053, type Statement, type StatementLine } from '../../core/banking/camt053';
import { type CsvStatementMapping, parseCsvStatement } from '../../core/banking/csv-statement';
import { formatIban } from '../../core/banking/iban';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { saveUpload } from '../../core/files/service';
import { sniffType } from '../../core/files/sniff';
import { isUuid, newId } from '../../core/ids';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { findOrder, orderStanding, requireRight } from '../orders/access';
import { flagBadIn, receivePayment } from '../orders/billing';
import { coopAccountIds, coopTransferId, ensureCoopAccounts, postCoopTransfers } from '../orders/ledger';
import {
  type BankLineState,
  bankLines,
  bankStatements,
  clubBankAccounts,
  statementMappings,
} from '../schema';
import { directDebitOf, settleDirectDebit } from './direct-debit-collections';
import { matchLine, type OpenBill } from './matching';
import { settleOutgoing } from './payouts';

export const STATEMENT_MAX_BYTES = 10 * 1024 * 1024;

export type BankLine = typeof bankLines.$inferSelect;
export type BankStatement = typeof bankStatements.$inferSelect;

export interface ImportSummary {
  statement: BankStatement;
  /** Lines of the file, and of them those seen before (a statement imported again). */
  lines: number;
  known: number;
  matched: number;
  /** Outgoing lines that paid a producer's invoice sent in a payment file. */
  producersPaid: number;
  badAmount: number;
  unmatched: number;
  outgoing: number;
}

async function requireBooks(deps: CoopDeps, db: Db, actor: Actor, clubId: string, mode: 'read' | 'change') {
  const standing = await orderStanding(deps, db, actor, clubId, mode, { kind: 'club', id: clubId });
  requireRight(standing.books, 'only the bookkeeper or the Admin works with the club’s bank statements');
  return standing;
}

/** The club's bills still owed, with what matching needs to know of them. */
async function openBills(tx: Db, clubId: string): Promise<OpenBill[]> {
  const rows = await queryRows<{
    order_id: string;
    household_id: string;
    name: string;
    reference: string;
    owed: string;
    members: string[] | null;
  }>(
    tx,
    sql`SELECT b.order_id, b.household_id, h.name, b.reference, (b.total_cents - b.received_cents)::text AS owed,
          (SELECT array_agg(u.name) FROM coop_household_members m JOIN core_users u ON u.id = m.user_id
           WHERE m.household_id = b.household_id) AS members
        FROM coop_bills b
        JOIN coop_orders o ON o.id = b.order_id
        JOIN coop_households h ON h.id = b.household_id
        WHERE o.club_id = ${clubId} AND o.status = 'processed' AND b.payment_state <> 'paid'
        ORDER BY o.number, h.name`,
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    householdId: row.household_id,
    householdName: row.name,
    memberNames: row.members ?? [],
    reference: row.reference,
    owedCents: BigInt(row.owed),
  }));
}

/**
 * The bookkeeper uploads the club account's statement (CAMT.053). Each line is kept once, by the
 * bank's own id: importing the same statement again changes nothing. A household's payment quoting
 * its bill's reference for the amount owed settles the bill at once; for another amount it waits as
 * a bad amount for the bookkeeper to confirm; without a reference it waits in the queue with the
 * likeliest bill suggested. Money the club sent is kept as outgoing.
 */
export async function importStatement(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  upload: { name: string; bytes: Buffer; mappingId?: string },
): Promise<ImportSummary> {
  const userId = requireUser(actor);
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  // Read before anything is kept: a file that is no statement leaves nothing behind.
  const format = sniffType(upload.bytes, ['text/csv']) ? ('csv' as const) : ('camt053' as const);
  const text = upload.bytes.toString('utf8');
  let statements: Statement[];
  if (format === 'camt053') {
    statements = parseCamt053(text);
  } else {
    const mapping = upload.mappingId ? await findMapping(deps.db, clubId, upload.mappingId) : null;
    if (!mapping) {
      throw new AppError(
        'validation_failed',
        'a CSV statement needs the mapping of its bank’s columns: choose one',
        {
          field: 'mapping_id',
        },
      );
    }
    statements = [
      {
        id: upload.name,
        accountIban: null,
        createdAt: null,
        lines: parseCsvStatement(text, mapping.mapping),
      },
    ];
  }
  const [account] = await deps.db.select().from(clubBankAccounts).where(eq(clubBankAccounts.clubId, clubId));
  const other = statements.find((s) => account && s.accountIban && s.accountIban !== account.iban);
  if (other) {
    throw coopErrors.error(
      'statement_other_account',
      `this statement is of the account ${formatIban(other.accountIban!)}, not the club’s ${formatIban(account!.iban)}`,
      { account_iban: other.accountIban },
    );
  }
  const file = await saveUpload(deps.files, actor, {
    name: upload.name,
    bytes: upload.bytes,
    allowed: ['application/xml', 'text/csv'],
    maxBytes: STATEMENT_MAX_BYTES,
  });
  return deps.db.transaction(async (tx) => {
    await requireBooks(deps, tx, actor, clubId, 'change');
    const now = deps.clock.now();
    const lines = statements.flatMap((s) => s.lines);
    const [statement] = await tx
      .insert(bankStatements)
      .values({
        id: newId(),
        clubId,
        format,
        fileId: file.id,
        bankStatementId: statements.map((s) => s.id).join(', '),
        accountIban: statements[0]?.accountIban ?? null,
        lines: lines.length,
        newLines: 0,
        importedBy: userId,
        importedAt: now,
      })
      .returning();
    const bills = await openBills(tx, clubId);
    const summary: ImportSummary = {
      statement: statement!,
      lines: lines.length,
      known: 0,
      matched: 0,
      producersPaid: 0,
      badAmount: 0,
      unmatched: 0,
      outgoing: 0,
    };
    for (const line of lines) {
      const outcome = await takeLine(deps, tx, actor, clubId, statement!.id, line, bills);
      if (outcome === null) summary.known += 1;
      else if (outcome === 'matched') summary.matched += 1;
      else if (outcome === 'producer_paid') summary.producersPaid += 1;
      else if (outcome === 'bad_amount') summary.badAmount += 1;
      else if (outcome === 'outgoing') summary.outgoing += 1;
      else summary.unmatched += 1;
    }
    const [counted] = await tx
      .update(bankStatements)
      .set({ newLines: lines.length - summary.known })
      .where(eq(bankStatements.id, statement!.id))
      .returning();
    summary.statement = counted!;
    await recordAudit(tx, deps.clock, actor, {
      action: 'coop.bank_statement.import',
      objectType: 'coop_bank_statement',
      objectId: statement!.id,
      organizationId: clubId,
      details: { lines: summary.lines, known: summary.known, matched: summary.matched },
    });
    return summary;
  });
}

/** Keeps one line, once, and settles or queues it; null when the bank's id was imported before. */
async function takeLine(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  clubId: string,
  statementId: string,
  line: StatementLine,
  bills: OpenBill[],
): Promise<BankLineState | 'producer_paid' | null> {
  // A collection's debit is known by its end-to-end id: it is settled as such, not matched by reference.
  const debit = await directDebitOf(tx, clubId, line);
  const match = line.direction === 'credit' && !debit ? matchLine(line, bills) : ({ kind: 'none' } as const);
  const state: BankLineState =
    line.direction === 'debit'
      ? 'outgoing'
      : match.kind === 'paid'
        ? 'matched'
        : match.kind === 'bad_amount'
          ? 'bad_amount'
          : 'unmatched';
  const bill = match.kind === 'none' ? null : match.bill;
  const [kept] = await tx
    .insert(bankLines)
    .values({
      id: newId(),
      clubId,
      statementId,
      bankId: line.bankId,
      bookedOn: line.bookedOn,
      amountCents: line.amountMinor,
      direction: line.direction,
      counterpartyName: line.counterpartyName,
      counterpartyIban: line.counterpartyIban,
      remittance: line.remittance,
      references: line.references,
      endToEndId: line.endToEndId,
      state,
      orderId: bill?.orderId ?? null,
      householdId: bill?.householdId ?? null,
      confidence: match.kind === 'none' ? null : match.confidence,
      decidedAt: state === 'matched' ? deps.clock.now() : null,
      createdAt: deps.clock.now(),
    })
    .onConflictDoNothing({ target: [bankLines.clubId, bankLines.bankId] })
    .returning();
  if (!kept) return null;
  if (debit) {
    const settled = await settleDirectDebit(deps, tx, actor, debit, line, kept.id);
    const paid = bills.find((b) => b.orderId === debit.orderId && b.householdId === debit.householdId);
    if (settled === 'matched' && paid) bills.splice(bills.indexOf(paid), 1);
    return settled;
  }
  if (line.direction === 'debit') {
    const paidOrder = await settleOutgoing(deps, tx, actor, clubId, line);
    if (paidOrder) {
      await tx
        .update(bankLines)
        .set({ state: 'matched', orderId: paidOrder, confidence: 100, decidedAt: deps.clock.now() })
        .where(eq(bankLines.id, kept.id));
      return 'producer_paid';
    }
  }
  if (match.kind === 'paid') {
    const order = await findOrder(tx, match.bill.orderId, true);
    await receivePayment(deps, tx, actor, order, match.bill.householdId, `bank statement, ${line.bankId}`);
    bills.splice(bills.indexOf(match.bill), 1);
  }
  return state;
}

/** The club's imported statements, newest first. */
export async function listStatements(deps: CoopDeps, actor: Actor, clubId: string): Promise<BankStatement[]> {
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  return deps.db
    .select()
    .from(bankStatements)
    .where(eq(bankStatements.clubId, clubId))
    .orderBy(desc(bankStatements.importedAt), desc(bankStatements.id));
}

export interface BankLineView extends BankLine {
  /** The bill it pays or is suggested for: the order's number and the household's name. */
  bill: { orderNumber: number; householdName: string; owedCents: bigint } | null;
}

/** The club's statement lines, those waiting first (club's bookkeeper and Admin). */
export async function listBankLines(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  filter: { state?: BankLineState } = {},
): Promise<BankLineView[]> {
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  const rows = await queryRows<{
    id: string;
    number: number | null;
    name: string | null;
    owed: string | null;
  }>(
    deps.db,
    sql`SELECT l.id, o.number, h.name, (b.total_cents - b.received_cents)::text AS owed
        FROM coop_bank_lines l
        LEFT JOIN coop_orders o ON o.id = l.order_id
        LEFT JOIN coop_households h ON h.id = l.household_id
        LEFT JOIN coop_bills b ON b.order_id = l.order_id AND b.household_id = l.household_id
        WHERE l.club_id = ${clubId}`,
  );
  const bills = new Map(rows.map((row) => [row.id, row]));
  const lines = await deps.db
    .select()
    .from(bankLines)
    .where(and(eq(bankLines.clubId, clubId), filter.state ? eq(bankLines.state, filter.state) : undefined))
    .orderBy(
      sql`CASE ${bankLines.state} WHEN 'bad_amount' THEN 0 WHEN 'unmatched' THEN 1 ELSE 2 END`,
      desc(bankLines.bookedOn),
      bankLines.bankId,
    );
  return lines.map((line) => {
    const bill = bills.get(line.id);
    return {
      ...line,
      bill:
        bill?.number != null && bill.name != null
          ? { orderNumber: bill.number, householdName: bill.name, owedCents: BigInt(bill.owed ?? '0') }
          : null,
    };
  });
}

async function lockedLine(deps: CoopDeps, tx: Db, actor: Actor, lineId: string): Promise<BankLine> {
  const [line] = isUuid(lineId) ? await tx.select().from(bankLines).where(eq(bankLines.id, lineId)) : [];
  if (!line) throw notFound('bank line', { id: lineId });
  await requireBooks(deps, tx, actor, line.clubId, 'change').catch((error) => {
    if (error instanceof AppError && error.code === 'not_found') throw notFound('bank line', { id: lineId });
    throw error;
  });
  const [locked] = await tx.select().from(bankLines).where(eq(bankLines.id, lineId)).for('update');
  return locked!;
}

function requireWaiting(line: BankLine, ...states: BankLineState[]): void {
  if (!states.includes(line.state)) {
    throw coopErrors.error('bank_line_decided', `this line is ${line.state.replace('_', ' ')} already`, {
      state: line.state,
    });
  }
}

/**
 * The bookkeeper says which bill a waiting line pays. For what is owed the bill is paid; for another
 * amount it is a bad payment of the total that arrived (the household is told).
 */
export async function assignBankLine(
  deps: CoopDeps,
  actor: Actor,
  lineId: string,
  to: { orderId?: string; householdId: string },
): Promise<BankLine> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const line = await lockedLine(deps, tx, actor, lineId);
    requireWaiting(line, 'unmatched', 'bad_amount');
    if (line.direction !== 'credit')
      throw new AppError('conflict', 'money the club sent pays no household’s bill');
    let orderId: string | null = null;
    if (to.orderId) {
      const order = await findOrder(tx, to.orderId, true).catch(() => {
        throw notFound('order', { id: to.orderId });
      });
      if (order.clubId !== line.clubId) throw notFound('order', { id: to.orderId });
      await settleWith(deps, tx, actor, order, to.householdId, line);
      orderId = order.id;
    } else {
      await payAhead(deps, tx, line, to.householdId);
    }
    const [decided] = await tx
      .update(bankLines)
      .set({
        state: 'assigned',
        orderId,
        householdId: to.householdId,
        decidedBy: userId,
        decidedAt: deps.clock.now(),
      })
      .where(eq(bankLines.id, line.id))
      .returning();
    return decided!;
  });
}

/** A household's payment that is for no bill yet: its balance grows, and its next bills draw on it. */
async function payAhead(deps: CoopDeps, tx: Db, line: BankLine, householdId: string): Promise<void> {
  const [household] = isUuid(householdId)
    ? await queryRows<{ id: string }>(
        tx,
        sql`SELECT id FROM coop_households WHERE id = ${householdId} AND club_id = ${line.clubId}`,
      )
    : [];
  if (!household) throw notFound('household', { id: householdId });
  await ensureCoopAccounts(tx, deps.clock, line.clubId, { households: [householdId] });
  await postCoopTransfers(tx, deps.clock, [
    {
      id: coopTransferId('paid-ahead', line.id),
      debitAccountId: coopAccountIds.bank(line.clubId),
      creditAccountId: coopAccountIds.household(householdId),
      amount: line.amountCents,
      code: 'coop_payment',
      metadata: { household_id: householdId, kind: 'payment', bank_line_id: line.id },
    },
  ]);
}

/** The bookkeeper confirms a line matched by its reference for another amount: a bad payment, as it arrived. */
export async function confirmBadAmount(deps: CoopDeps, actor: Actor, lineId: string): Promise<BankLine> {
  const line = await deps.db.transaction(async (tx) => {
    const waiting = await lockedLine(deps, tx, actor, lineId);
    requireWaiting(waiting, 'bad_amount');
    return waiting;
  });
  return assignBankLine(deps, actor, line.id, { orderId: line.orderId!, householdId: line.householdId! });
}

async function settleWith(
  deps: CoopDeps,
  tx: Db,
  actor: Actor,
  order: Awaited<ReturnType<typeof findOrder>>,
  householdId: string,
  line: BankLine,
) {
  const [bill] = await queryRows<{ total: string; received: string; state: string }>(
    tx,
    sql`SELECT total_cents::text AS total, received_cents::text AS received, payment_state AS state
        FROM coop_bills WHERE order_id = ${order.id} AND household_id = ${householdId} FOR UPDATE`,
  );
  if (!bill) throw notFound('bill', { order_id: order.id, household_id: householdId });
  const arrived = BigInt(bill.received) + line.amountCents;
  if (arrived === BigInt(bill.total)) {
    await receivePayment(deps, tx, actor, order, householdId, `bank statement, ${line.bankId}`);
  } else {
    await flagBadIn(deps, tx, actor, order, householdId, { reason: 'bad_amount', paidCents: arrived });
  }
}

/** The bookkeeper sets a line aside: not a household's payment (a donation, a refund). */
export async function ignoreBankLine(deps: CoopDeps, actor: Actor, lineId: string): Promise<BankLine> {
  const userId = requireUser(actor);
  return deps.db.transaction(async (tx) => {
    const line = await lockedLine(deps, tx, actor, lineId);
    requireWaiting(line, 'unmatched', 'bad_amount');
    const [decided] = await tx
      .update(bankLines)
      .set({ state: 'ignored', decidedBy: userId, decidedAt: deps.clock.now() })
      .where(eq(bankLines.id, line.id))
      .returning();
    return decided!;
  });
}

export type StatementMapping = typeof statementMappings.$inferSelect;

async function findMapping(db: Db, clubId: string, mappingId: string): Promise<StatementMapping | null> {
  if (!isUuid(mappingId)) return null;
  const [mapping] = await db
    .select()
    .from(statementMappings)
    .where(and(eq(statementMappings.id, mappingId), eq(statementMappings.clubId, clubId)));
  return mapping ?? null;
}

/** How the club's banks' CSV exports read, by bank (the bookkeeper, the Admin). */
export async function listStatementMappings(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
): Promise<StatementMapping[]> {
  await requireBooks(deps, deps.db, actor, clubId, 'read');
  return deps.db
    .select()
    .from(statementMappings)
    .where(eq(statementMappings.clubId, clubId))
    .orderBy(sql`lower(${statementMappings.name})`);
}

/** Saves how a bank's CSV export reads, under the bank's name (the same name replaces it). */
export async function saveStatementMapping(
  deps: CoopDeps,
  actor: Actor,
  clubId: string,
  input: { name: string; mapping: CsvStatementMapping },
): Promise<StatementMapping> {
  const userId = requireUser(actor);
  const name = input.name.trim();
  if (!name) throw new AppError('validation_failed', 'name the bank', { field: 'name' });
  return deps.db.transaction(async (tx) => {
    await requireBooks(deps, tx, actor, clubId, 'change');
    const now = deps.clock.now();
    const [existing] = await tx
      .select()
      .from(statementMappings)
      .where(
        and(eq(statementMappings.clubId, clubId), sql`lower(${statementMappings.name}) = lower(${name})`),
      )
      .for('update');
    const [saved] = existing
      ? await tx
          .update(statementMappings)
          .set({ name, mapping: input.mapping, updatedBy: userId, updatedAt: now })
          .where(eq(statementMappings.id, existing.id))
          .returning()
      : await tx
          .insert(statementMappings)
          .values({ id: newId(), clubId, name, mapping: input.mapping, updatedBy: userId, updatedAt: now })
          .returning();
    return saved!;
  });
}
