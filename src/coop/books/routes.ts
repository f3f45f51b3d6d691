import { createRoute, z } from '@hono/zod-openapi';
import { formatIban } from '../../core/banking/iban';
import { AppError } from '../../core/errors';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import type { CoopDeps } from '../deps';
import { coopErrors } from '../errors';
import { iso, PathId, Uuid } from '../fields';
import { bankLineStates } from '../schema';
import { type ClubBankAccount, getClubBankAccount, setClubBankAccount } from './bank-account';
import {
  assignBankLine,
  type BankLine,
  type BankLineView,
  type BankStatement,
  confirmBadAmount,
  ignoreBankLine,
  importStatement,
  listBankLines,
  listStatements,
  STATEMENT_MAX_BYTES,
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
      summary: `Import the club account’s statement (CAMT.053 XML, up to ${STATEMENT_MAX_BYTES} bytes): payments quoting a bill’s reference settle it; the rest wait (the bookkeeper, the Admin)`,
      request: {
        params: z.object({ id: PathId }),
        body: {
          required: true,
          content: {
            'multipart/form-data': {
              schema: z.object({ file: z.any().openapi({ type: 'string', format: 'binary' }) }),
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
            matched: z.number().int(),
            bad_amount: z.number().int(),
            unmatched: z.number().int(),
            outgoing: z.number().int(),
          }),
          'What the import did',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { file } = c.req.valid('form');
      if (!(file instanceof File))
        throw new AppError('validation_failed', 'file: the statement is required', { field: 'file' });
      const summary = await importStatement(deps, c.get('actor'), c.req.valid('param').id, {
        name: file.name,
        bytes: Buffer.from(await file.arrayBuffer()),
      });
      return c.json(
        {
          statement: statementJson(summary.statement),
          lines: summary.lines,
          known: summary.known,
          matched: summary.matched,
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
        'Say which bill a waiting line pays: paid if it is what is owed, else a bad payment (the bookkeeper, the Admin)',
      request: { params: LineId, ...jsonBody(z.strictObject({ order_id: Uuid, household_id: Uuid })) },
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

  return router;
}
