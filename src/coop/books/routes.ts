import { createRoute, z } from '@hono/zod-openapi';
import { formatIban } from '../../core/banking/iban';
import { AppError } from '../../core/errors';
import {
  createRouter,
  downloadHeaders,
  errorResponses,
  jsonBody,
  jsonResponse,
  PathId,
  refusals,
} from '../../core/http';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { iso, Uuid } from '../fields';
import { bankLineStates } from '../schema';
import { type ClubBankAccount, getClubBankAccount, setClubBankAccount } from './bank-account';
import { createPaymentBatch, getPaymentBatch, listPaymentBatches, type PaymentBatch } from './payouts';
import { EXPORT_MAX_DAYS, MARGIN_DEFINITION, type PeriodExport, readPeriodExport } from './period-export';
import { periodExportCsv, periodExportFileName, periodExportPdf } from './period-export-files';
import type { VatSplit } from './period-export-vat';
import {
  assignBankLine,
  type BankLine,
  type BankLineView,
  type BankStatement,
  confirmBadAmount,
  ignoreBankLine,
  importStatement,
  listBankLines,
  listStatementMappings,
  listStatements,
  STATEMENT_MAX_BYTES,
  type StatementMapping,
  saveStatementMapping,
} from './statements';

/** The bookkeeper's bank statements: imported, matched to bills, and the lines waiting for a decision. */

const tags = ['Coop: books'];
const read = { caller: 'signed-in', scope: 'coop:read' } as const;
const write = { caller: 'signed-in', scope: 'coop:write' } as const;

const StatementSchema = z
  .object({
    id: Uuid,
    format: z.enum(['camt053', 'csv']),
    bank_statement_id: z.string().nullable(),
    account_iban: z.string().nullable(),
    lines: z.number().int(),
    new_lines: z
      .number()
      .int()
      .openapi({ description: 'lines not seen before: 0 for a statement imported again' }),
    imported_by: Uuid,
    imported_at: z.string(),
  })
  .openapi('CoopBankStatement');

const statementJson = (s: BankStatement) => ({
  id: s.id,
  format: s.format,
  bank_statement_id: s.bankStatementId,
  account_iban: s.accountIban,
  lines: s.lines,
  new_lines: s.newLines,
  imported_by: s.importedBy,
  imported_at: s.importedAt.toISOString(),
});

const BankLineSchema = z
  .object({
    id: Uuid,
    bank_id: z.string(),
    booked_on: z.string(),
    amount_cents: z.string(),
    direction: z.enum(['credit', 'debit']),
    counterparty_name: z.string(),
    counterparty_iban: z.string().nullable(),
    remittance: z.string(),
    references: z.array(z.string()),
    state: z.enum(bankLineStates),
    order_id: Uuid.nullable(),
    household_id: Uuid.nullable(),
    confidence: z
      .number()
      .int()
      .nullable()
      .openapi({ description: '100 by reference; less by amount and name' }),
    bill: z
      .object({ order_number: z.number().int(), household_name: z.string(), owed_cents: z.string() })
      .nullable()
      .openapi({ description: 'the bill it paid, or is suggested for' }),
    decided_by: Uuid.nullable(),
    decided_at: z.string().nullable(),
  })
  .openapi('CoopBankLine');

const lineJson = (line: BankLine | BankLineView) => ({
  id: line.id,
  bank_id: line.bankId,
  booked_on: line.bookedOn,
  amount_cents: line.amountCents.toString(),
  direction: line.direction,
  counterparty_name: line.counterpartyName,
  counterparty_iban: line.counterpartyIban,
  remittance: line.remittance,
  references: line.references,
  state: line.state,
  order_id: line.orderId,
  household_id: line.householdId,
  confidence: line.confidence,
  bill:
    'bill' in line && line.bill
      ? {
          order_number: line.bill.orderNumber,
          household_name: line.bill.householdName,
          owed_cents: line.bill.owedCents.toString(),
        }
      : null,
  decided_by: line.decidedBy,
  decided_at: iso(line.decidedAt),
});

const LineId = z.object({ id: PathId });

export function bookRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/bank-statements',
      access: write,
      tags,
      summary: `Import the club account’s statement (CAMT.053 XML, or a bank’s CSV with its mapping; up to ${STATEMENT_MAX_BYTES} bytes): payments quoting a bill’s reference settle it; the rest wait (the bookkeeper, the Admin)`,
      request: {
        params: z.object({ id: PathId }),
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({
                file: z.any().openapi({ type: 'string', format: 'binary' }),
                mapping_id: Uuid.optional().openapi({
                  description: 'for a CSV statement: how its bank’s columns read',
                }),
              }),
            },
          },
        },
      },
      responses: {
        201: jsonResponse(
          z.object({
            statement: StatementSchema,
            lines: z.number().int(),
            known: z.number().int().openapi({ description: 'lines imported before, left as they were' }),
            matched: z
              .number()
              .int()
              .openapi({ description: 'households’ payments that settled their bill' }),
            producers_paid: z
              .number()
              .int()
              .openapi({ description: 'outgoing lines that paid an invoice sent in a payment file' }),
            bad_amount: z.number().int(),
            unmatched: z.number().int(),
            outgoing: z.number().int(),
          }),
          'What the import did',
        ),
        ...errorResponses,
        ...refusals(coopErrors, ['statement_other_account']),
      },
    }),
    async (c) => {
      const { file, mapping_id } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: the statement is required', { field: 'file' });
      const summary = await importStatement(deps, c.get('actor'), c.req.valid('param').id, {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
        mappingId: mapping_id,
      });
      return c.json(
        {
          statement: statementJson(summary.statement),
          lines: summary.lines,
          known: summary.known,
          matched: summary.matched,
          producers_paid: summary.producersPaid,
          bad_amount: summary.badAmount,
          unmatched: summary.unmatched,
          outgoing: summary.outgoing,
        },
        201,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/bank-statements',
      access: read,
      tags,
      summary: 'The statements imported, newest first (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(StatementSchema) }), 'Statements'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listStatements(deps, c.get('actor'), c.req.valid('param').id)).map(statementJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/bank-lines',
      access: read,
      tags,
      summary: 'The statements’ lines, those waiting for a decision first (the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        query: z.object({ state: z.enum(bankLineStates).optional() }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(BankLineSchema) }), 'Lines'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const items = await listBankLines(deps, c.get('actor'), c.req.valid('param').id, c.req.valid('query'));
      return c.json({ items: items.map(lineJson) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/bank-lines/{id}/assign',
      access: write,
      tags,
      summary:
        'Say which bill a waiting line pays (paid if it is what is owed, else a bad payment), or which household pays ahead with it (the bookkeeper, the Admin)',
      request: {
        params: LineId,
        ...jsonBody(
          z.strictObject({
            order_id: Uuid.optional().openapi({
              description: 'the order of the bill it pays; without it, the household pays ahead',
            }),
            household_id: Uuid,
          }),
        ),
      },
      responses: {
        200: jsonResponse(BankLineSchema, 'The line'),
        ...errorResponses,
        ...refusals(coopErrors, ['bank_line_decided', 'bill_settled', 'order_finished']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const line = await assignBankLine(deps, c.get('actor'), c.req.valid('param').id, {
        orderId: body.order_id,
        householdId: body.household_id,
      });
      return c.json(lineJson(line), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/bank-lines/{id}/confirm',
      access: write,
      tags,
      summary:
        'Confirm a line that quotes a bill for another amount: a bad payment of what arrived (the bookkeeper, the Admin)',
      request: { params: LineId },
      responses: {
        200: jsonResponse(BankLineSchema, 'The line'),
        ...errorResponses,
        ...refusals(coopErrors, ['bank_line_decided']),
      },
    }),
    async (c) => c.json(lineJson(await confirmBadAmount(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/bank-lines/{id}/ignore',
      access: write,
      tags,
      summary: 'Set a waiting line aside: not a household’s payment (the bookkeeper, the Admin)',
      request: { params: LineId },
      responses: {
        200: jsonResponse(BankLineSchema, 'The line'),
        ...errorResponses,
        ...refusals(coopErrors, ['bank_line_decided']),
      },
    }),
    async (c) => c.json(lineJson(await ignoreBankLine(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  const AccountSchema = z
    .object({
      account_holder: z.string(),
      iban: z.string().openapi({ description: 'grouped by four' }),
      bic: z.string().nullable(),
      updated_at: z.string(),
    })
    .openapi('CoopClubBankAccount');
  const accountJson = (a: ClubBankAccount) => ({
    account_holder: a.accountHolder,
    iban: formatIban(a.iban),
    bic: a.bic,
    updated_at: a.updatedAt.toISOString(),
  });

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/bank-account',
      access: read,
      tags,
      summary: 'Where households pay the club (club members); null until the bookkeeper sets it',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ account: AccountSchema.nullable() }), 'The account'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const account = await getClubBankAccount(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ account: account ? accountJson(account) : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/clubs/{id}/bank-account',
      access: write,
      tags,
      summary: 'Set the club’s bank account: holder, IBAN (checked) and BIC (the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            account_holder: z.string().max(70),
            iban: z.string().max(50),
            bic: z.string().max(11).nullable().optional(),
          }),
        ),
      },
      responses: {
        200: jsonResponse(z.object({ account: AccountSchema }), 'The account'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const account = await setClubBankAccount(deps, c.get('actor'), c.req.valid('param').id, {
        accountHolder: body.account_holder,
        iban: body.iban,
        bic: body.bic,
      });
      return c.json({ account: accountJson(account) }, 200);
    },
  );

  const MappingFields = {
    booked_on: z.string().min(1).max(100),
    amount: z.string().min(1).max(100).openapi({ description: 'the column of the signed amount' }),
    counterparty_name: z.string().min(1).max(100),
    counterparty_iban: z.string().max(100).nullable().optional(),
    remittance: z.string().min(1).max(100),
    bank_id: z
      .string()
      .max(100)
      .nullable()
      .optional()
      .openapi({ description: 'the column of the bank’s own id, if any' }),
    date_format: z.enum(['DD.MM.YYYY', 'YYYY-MM-DD', 'MM/DD/YYYY']),
    decimal_separator: z.enum([',', '.']),
  };
  const MappingSchema = z
    .object({ id: Uuid, name: z.string(), ...MappingFields, updated_at: z.string() })
    .openapi('CoopStatementMapping');
  const mappingJson = (m: StatementMapping) => ({
    id: m.id,
    name: m.name,
    booked_on: m.mapping.bookedOn,
    amount: m.mapping.amount,
    counterparty_name: m.mapping.counterpartyName,
    counterparty_iban: m.mapping.counterpartyIban ?? null,
    remittance: m.mapping.remittance,
    bank_id: m.mapping.bankId ?? null,
    date_format: m.mapping.dateFormat,
    decimal_separator: m.mapping.decimalSeparator,
    updated_at: m.updatedAt.toISOString(),
  });

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/statement-mappings',
      access: read,
      tags,
      summary: 'How the club’s banks’ CSV statements read, by bank (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(MappingSchema) }), 'Mappings'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        {
          items: (await listStatementMappings(deps, c.get('actor'), c.req.valid('param').id)).map(
            mappingJson,
          ),
        },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/clubs/{id}/statement-mappings',
      access: write,
      tags,
      summary:
        'Save how a bank’s CSV statement reads, under the bank’s name (the same name replaces it; the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(z.strictObject({ name: z.string().max(100), ...MappingFields })),
      },
      responses: { 200: jsonResponse(MappingSchema, 'The mapping'), ...errorResponses },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const saved = await saveStatementMapping(deps, c.get('actor'), c.req.valid('param').id, {
        name: body.name,
        mapping: {
          bookedOn: body.booked_on,
          amount: body.amount,
          counterpartyName: body.counterparty_name,
          counterpartyIban: body.counterparty_iban ?? null,
          remittance: body.remittance,
          bankId: body.bank_id ?? null,
          dateFormat: body.date_format,
          decimalSeparator: body.decimal_separator,
        },
      });
      return c.json(mappingJson(saved), 200);
    },
  );

  const BatchSchema = z
    .object({
      id: Uuid,
      message_id: z.string(),
      execution_date: z.string(),
      transfers: z.number().int(),
      total_cents: z.string(),
      download: z.string().openapi({ description: 'where the pain.001 file is downloaded' }),
      created_by: Uuid,
      created_at: z.string(),
    })
    .openapi('CoopPaymentBatch');
  const batchJson = (b: PaymentBatch) => ({
    id: b.id,
    message_id: b.messageId,
    execution_date: b.executionDate,
    transfers: b.transfers,
    total_cents: b.totalCents.toString(),
    download: `/api/coop/payment-batches/${b.id}/pain.001.xml`,
    created_by: b.createdBy,
    created_at: b.createdAt.toISOString(),
  });

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/payment-batches',
      access: write,
      tags,
      summary:
        'Pay producers’ invoices: one SEPA credit transfer file (pain.001) for the bank; the invoices become “payment sent” (the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        ...jsonBody(
          z.strictObject({
            invoices: z
              .array(z.strictObject({ order_id: Uuid, producer_id: Uuid }))
              .min(1)
              .max(500),
            execution_date: z
              .string()
              .optional()
              .openapi({ description: 'YYYY-MM-DD, today or later; today by default' }),
          }),
        ),
      },
      responses: {
        201: jsonResponse(BatchSchema, 'The payment file'),
        ...errorResponses,
        ...refusals(coopErrors, [
          'club_account_missing',
          'producer_without_iban',
          'invoice_missing',
          'invoice_paid',
          'invoice_payment_sent',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const batch = await createPaymentBatch(deps, c.get('actor'), c.req.valid('param').id, {
        invoices: body.invoices.map((i) => ({ orderId: i.order_id, producerId: i.producer_id })),
        executionDate: body.execution_date,
      });
      return c.json(batchJson(batch), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/payment-batches',
      access: read,
      tags,
      summary: 'The payment files made for the bank, newest first (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: jsonResponse(z.object({ items: z.array(BatchSchema) }), 'Payment files'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listPaymentBatches(deps, c.get('actor'), c.req.valid('param').id)).map(batchJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/payment-batches/{id}/pain.001.xml',
      access: read,
      tags,
      summary: 'A payment file as the bank takes it: pain.001.001.03 XML (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }) },
      responses: {
        200: { description: 'The file', content: { 'application/xml': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const batch = await getPaymentBatch(deps, c.get('actor'), c.req.valid('param').id);
      const bytes = Buffer.from(batch.xml, 'utf8');
      return c.body(
        new Uint8Array(bytes),
        200,
        downloadHeaders(`${batch.messageId}.xml`, 'application/xml', bytes.length),
      );
    },
  );

  const Period = z.object({
    from: z.string().max(10).openapi({ description: 'the first day, YYYY-MM-DD (UTC)' }),
    to: z
      .string()
      .max(10)
      .openapi({
        description: `the last day, included, YYYY-MM-DD; at most ${EXPORT_MAX_DAYS} days after from`,
      }),
  });
  const VatRateSchema = z.object({
    vat_basis_points: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'null: the VAT of the amount is not known' }),
    net_cents: z.string().nullable(),
    vat_cents: z.string().nullable(),
    total_cents: z.string(),
  });
  const vatJson = (s: VatSplit) => {
    const known = s.vatBasisPoints !== null;
    return {
      vat_basis_points: known ? Number(s.vatBasisPoints) : null,
      net_cents: known ? s.netCents.toString() : null,
      vat_cents: known ? s.vatCents.toString() : null,
      total_cents: s.totalCents.toString(),
    };
  };
  const PeriodSummarySchema = z
    .object({
      from: z.string(),
      to: z.string(),
      time_zone: z.literal('UTC'),
      entries: z.object({
        bills: z.number().int(),
        bill_reversals: z.number().int(),
        payments: z.number().int(),
        payment_returns: z.number().int(),
        invoices: z.number().int(),
        invoice_payments: z.number().int(),
        other: z.number().int(),
      }),
      totals: z.object({
        bills_cents: z.string(),
        bill_reversals_cents: z.string(),
        sales_cents: z.string(),
        payments_cents: z.string(),
        paid_ahead_cents: z.string(),
        payment_returns_cents: z.string(),
        invoices_cents: z.string(),
        invoice_payments_cents: z.string(),
      }),
      vat: z.object({ sales: z.array(VatRateSchema), purchases: z.array(VatRateSchema) }),
      margin: z.object({ net_cents: z.string(), with_vat_cents: z.string(), definition: z.string() }),
      tie_out: z.array(
        z.object({
          account: z.enum(['sales', 'bank', 'purchases', 'households', 'producers']),
          ledger_cents: z.string().openapi({ description: 'credits less debits posted in the period' }),
          export_cents: z.string().openapi({ description: 'the same, from the export’s sections' }),
          ties: z.boolean(),
        }),
      ),
    })
    .openapi('CoopPeriodSummary');
  const summaryJson = (data: PeriodExport) => {
    const count = (kind: string) => data.entries.filter((e) => e.kind === kind).length;
    return {
      from: data.period.from,
      to: data.period.to,
      time_zone: 'UTC' as const,
      entries: {
        bills: count('bill'),
        bill_reversals: count('bill_reversal'),
        payments: count('payment'),
        payment_returns: count('payment_return'),
        invoices: count('invoice'),
        invoice_payments: count('invoice_payment'),
        other: count('other'),
      },
      totals: {
        bills_cents: data.totals.billsCents.toString(),
        bill_reversals_cents: data.totals.billReversalsCents.toString(),
        sales_cents: data.totals.salesCents.toString(),
        payments_cents: data.totals.paymentsCents.toString(),
        paid_ahead_cents: data.totals.paidAheadCents.toString(),
        payment_returns_cents: data.totals.paymentReturnsCents.toString(),
        invoices_cents: data.totals.invoicesCents.toString(),
        invoice_payments_cents: data.totals.invoicePaymentsCents.toString(),
      },
      vat: { sales: data.vat.sales.map(vatJson), purchases: data.vat.purchases.map(vatJson) },
      margin: {
        net_cents: data.margin.netCents.toString(),
        with_vat_cents: data.margin.withVatCents.toString(),
        definition: MARGIN_DEFINITION,
      },
      tie_out: data.tieOut.map((t) => ({
        account: t.account,
        ledger_cents: t.ledgerCents.toString(),
        export_cents: t.exportCents.toString(),
        ties: t.ledgerCents === t.exportCents,
      })),
    };
  };

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/books/summary',
      access: read,
      tags,
      summary:
        'A period’s books in sum, from the ledger: VAT per rate on sales and on producers’ invoices, the margin, and each account’s movement tied to the ledger (the bookkeeper, the Admin)',
      request: { params: z.object({ id: PathId }), query: Period },
      responses: { 200: jsonResponse(PeriodSummarySchema, 'The period in sum'), ...errorResponses },
    }),
    async (c) => {
      const data = await readPeriodExport(
        deps,
        c.get('actor'),
        c.req.valid('param').id,
        c.req.valid('query'),
      );
      return c.json(summaryJson(data), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/books/export',
      access: read,
      tags,
      summary:
        'A period’s books for the accountant, as CSV or PDF: bills and their corrections, households’ payments, producers’ invoices and payments, VAT per rate, the margin and the tie-out with the ledger (the bookkeeper, the Admin)',
      request: {
        params: z.object({ id: PathId }),
        query: Period.extend({ format: z.enum(['csv', 'pdf']) }),
      },
      responses: {
        200: {
          description: 'The export',
          content: { 'text/csv': { schema: z.string() }, 'application/pdf': { schema: z.string() } },
        },
        ...errorResponses,
      },
    }),
    async (c) => {
      const { format, ...days } = c.req.valid('query');
      const data = await readPeriodExport(deps, c.get('actor'), c.req.valid('param').id, days);
      const bytes =
        format === 'csv' ? Buffer.from(periodExportCsv(data), 'utf8') : await periodExportPdf(data);
      return c.body(
        new Uint8Array(bytes),
        200,
        downloadHeaders(
          periodExportFileName(data, format),
          format === 'csv' ? 'text/csv; charset=utf-8' : 'application/pdf',
          bytes.length,
        ),
      );
    },
  );

  return router;
}
