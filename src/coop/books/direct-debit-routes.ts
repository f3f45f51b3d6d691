import { createRoute, z } from '@hono/zod-openapi';
import { formatIban } from '../../core/banking/iban';
import { sequenceTypes } from '../../core/banking/pain008';
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
import { collectionStates, directDebitStates, mandateStates } from '../schema';
import {
  type DirectDebitSettings,
  enableDirectDebit,
  getDirectDebitSettings,
  getHouseholdMandate,
  listMandates,
  type Mandate,
  type MandateView,
  revokeMandate,
  signMandate,
} from './direct-debit';
import {
  type Collection,
  type CollectionView,
  cancelCollection,
  createCollection,
  getCollection,
  listCollections,
  listDebitableBills,
} from './direct-debit-collections';

/** SEPA direct debit: the club's creditor identifier, households' mandates, and the bookkeeper's collections. */

const tags = ['Coop: direct debit'];
const read = { caller: 'signed-in', scope: 'coop:read' } as const;
const write = { caller: 'signed-in', scope: 'coop:write' } as const;
const ClubId = z.object({ id: PathId });

const SettingsSchema = z
  .object({ creditor_id: z.string(), updated_at: z.string() })
  .openapi('CoopDirectDebitSettings');
const settingsJson = (s: DirectDebitSettings) => ({
  creditor_id: s.creditorId,
  updated_at: s.updatedAt.toISOString(),
});

const MandateSchema = z
  .object({
    id: Uuid,
    household_id: Uuid,
    household_name: z.string().optional(),
    reference: z.string().openapi({ description: 'the mandate reference every debit quotes' }),
    account_holder: z.string(),
    iban: z.string().openapi({ description: 'grouped by four' }),
    bic: z.string().nullable(),
    signed_on: z.string().openapi({ description: 'the day of signature, YYYY-MM-DD' }),
    signed_by: Uuid,
    state: z.enum(mandateStates),
    revoked_at: z.string().nullable(),
  })
  .openapi('CoopDirectDebitMandate');
const mandateJson = (m: Mandate | MandateView) => ({
  id: m.id,
  household_id: m.householdId,
  ...('householdName' in m ? { household_name: m.householdName } : {}),
  reference: m.reference,
  account_holder: m.accountHolder,
  iban: formatIban(m.iban),
  bic: m.bic,
  signed_on: m.signedOn,
  signed_by: m.signedBy,
  state: m.state,
  revoked_at: iso(m.revokedAt),
});

const CollectionSchema = z
  .object({
    id: Uuid,
    message_id: z.string(),
    collection_date: z.string(),
    debits: z.number().int(),
    total_cents: z.string(),
    state: z.enum(collectionStates),
    download: z.string().openapi({ description: 'where the pain.008 file is downloaded' }),
    created_by: Uuid,
    created_at: z.string(),
    cancelled_at: z.string().nullable(),
    items: z
      .array(
        z.object({
          order_id: Uuid,
          order_number: z.number().int(),
          household_id: Uuid,
          household_name: z.string(),
          end_to_end_id: z.string(),
          amount_cents: z.string(),
          sequence_type: z.enum(sequenceTypes),
          state: z.enum(directDebitStates),
        }),
      )
      .optional(),
  })
  .openapi('CoopDirectDebitCollection');
const collectionJson = (c: Collection | CollectionView) => ({
  id: c.id,
  message_id: c.messageId,
  collection_date: c.collectionDate,
  debits: c.debits,
  total_cents: c.totalCents.toString(),
  state: c.state,
  download: `/api/coop/direct-debit-collections/${c.id}/pain.008.xml`,
  created_by: c.createdBy,
  created_at: c.createdAt.toISOString(),
  cancelled_at: iso(c.cancelledAt),
  ...('items' in c
    ? {
        items: c.items.map((d) => ({
          order_id: d.orderId,
          order_number: d.orderNumber,
          household_id: d.householdId,
          household_name: d.householdName,
          end_to_end_id: d.endToEndId,
          amount_cents: d.amountCents.toString(),
          sequence_type: d.sequenceType,
          state: d.state,
        })),
      }
    : {}),
});

const BillSchema = z
  .object({
    order_id: Uuid,
    order_number: z.number().int(),
    household_id: Uuid,
    household_name: z.string(),
    reference: z.string(),
    owed_cents: z.string(),
    mandate_id: Uuid.nullable(),
    collection_id: Uuid.nullable().openapi({
      description: 'the collection sent with it: not collectable meanwhile',
    }),
  })
  .openapi('CoopDebitableBill');

export function directDebitRoutes(deps: CoopDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/direct-debit',
      access: read,
      tags,
      summary: 'Whether the club collects by direct debit, and its creditor identifier (club members)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ settings: SettingsSchema.nullable() }), 'The settings; null when off'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const settings = await getDirectDebitSettings(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ settings: settings ? settingsJson(settings) : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'put',
      path: '/clubs/{id}/direct-debit',
      access: write,
      tags,
      summary:
        'Switch direct debit on, or change the club’s SEPA creditor identifier (checked); the club’s account is set first (the Admin)',
      request: {
        params: ClubId,
        ...jsonBody(z.strictObject({ creditor_id: z.string().max(50) })),
      },
      responses: {
        200: jsonResponse(z.object({ settings: SettingsSchema }), 'The settings'),
        ...errorResponses,
        ...refusals(coopErrors, ['club_account_missing']),
      },
    }),
    async (c) => {
      const settings = await enableDirectDebit(deps, c.get('actor'), c.req.valid('param').id, {
        creditorId: c.req.valid('json').creditor_id,
      });
      return c.json({ settings: settingsJson(settings) }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/households/{id}/direct-debit-mandate',
      access: read,
      tags,
      summary:
        'The household’s active direct debit mandate, or null (its members, the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ mandate: MandateSchema.nullable() }), 'The mandate'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const mandate = await getHouseholdMandate(deps, c.get('actor'), c.req.valid('param').id);
      return c.json({ mandate: mandate ? mandateJson(mandate) : null }, 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/households/{id}/direct-debit-mandate',
      access: write,
      tags,
      summary:
        'Sign a SEPA direct debit mandate for the household: the club may collect its bills from this account (a member of the household)',
      request: {
        params: ClubId,
        ...jsonBody(
          z.strictObject({
            account_holder: z.string().max(70),
            iban: z.string().max(50),
            bic: z.string().max(11).nullable().optional(),
          }),
        ),
      },
      responses: {
        201: jsonResponse(z.object({ mandate: MandateSchema }), 'The mandate'),
        ...errorResponses,
        ...refusals(coopErrors, ['direct_debit_off', 'mandate_active', 'household_archived']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const mandate = await signMandate(deps, c.get('actor'), c.req.valid('param').id, {
        accountHolder: body.account_holder,
        iban: body.iban,
        bic: body.bic,
      });
      return c.json({ mandate: mandateJson(mandate) }, 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/direct-debit-mandates/{id}/revoke',
      access: write,
      tags,
      summary:
        'Revoke a mandate: nothing more is collected with it (its household, the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ mandate: MandateSchema }), 'The mandate'),
        ...errorResponses,
        ...refusals(coopErrors, ['mandate_revoked']),
      },
    }),
    async (c) =>
      c.json(
        { mandate: mandateJson(await revokeMandate(deps, c.get('actor'), c.req.valid('param').id)) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/direct-debit-mandates',
      access: read,
      tags,
      summary: 'The club’s mandates, the active ones first (the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ items: z.array(MandateSchema) }), 'Mandates'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listMandates(deps, c.get('actor'), c.req.valid('param').id)).map(mandateJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/direct-debit-bills',
      access: read,
      tags,
      summary:
        'The due bills of households with a mandate, to collect; those in a collection sent say so (the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ items: z.array(BillSchema) }), 'Bills'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const bills = await listDebitableBills(deps, c.get('actor'), c.req.valid('param').id);
      return c.json(
        {
          items: bills.map((b) => ({
            order_id: b.orderId,
            order_number: b.orderNumber,
            household_id: b.householdId,
            household_name: b.householdName,
            reference: b.reference,
            owed_cents: b.owedCents.toString(),
            mandate_id: b.mandateId,
            collection_id: b.collectionId,
          })),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/clubs/{id}/direct-debit-collections',
      access: write,
      tags,
      summary:
        'Collect households’ bills: one SEPA direct debit file (pain.008) for the bank; the bills become “collection sent” (the bookkeeper, the Admin)',
      request: {
        params: ClubId,
        ...jsonBody(
          z.strictObject({
            bills: z
              .array(z.strictObject({ order_id: Uuid, household_id: Uuid }))
              .min(1)
              .max(500),
            collection_date: z
              .string()
              .optional()
              .openapi({ description: 'YYYY-MM-DD, a bank day from the next one on; the next by default' }),
          }),
        ),
      },
      responses: {
        201: jsonResponse(CollectionSchema, 'The collection'),
        ...errorResponses,
        ...refusals(coopErrors, [
          'direct_debit_off',
          'club_account_missing',
          'bill_not_due',
          'bill_collection_sent',
          'bill_without_mandate',
          'order_finished',
        ]),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const collection = await createCollection(deps, c.get('actor'), c.req.valid('param').id, {
        bills: body.bills.map((b) => ({ orderId: b.order_id, householdId: b.household_id })),
        collectionDate: body.collection_date,
      });
      return c.json(collectionJson(collection), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/clubs/{id}/direct-debit-collections',
      access: read,
      tags,
      summary:
        'The collections made for the bank with their debits, newest first (the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(z.object({ items: z.array(CollectionSchema) }), 'Collections'),
        ...errorResponses,
      },
    }),
    async (c) =>
      c.json(
        { items: (await listCollections(deps, c.get('actor'), c.req.valid('param').id)).map(collectionJson) },
        200,
      ),
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/direct-debit-collections/{id}/pain.008.xml',
      access: read,
      tags,
      summary: 'A collection as the bank takes it: pain.008.001.02 XML (the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: { description: 'The file', content: { 'application/xml': { schema: z.string() } } },
        ...errorResponses,
      },
    }),
    async (c) => {
      const collection = await getCollection(deps, c.get('actor'), c.req.valid('param').id);
      const bytes = Buffer.from(collection.xml, 'utf8');
      return c.body(
        new Uint8Array(bytes),
        200,
        downloadHeaders(`${collection.messageId}.xml`, 'application/xml', bytes.length),
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/direct-debit-collections/{id}/cancel',
      access: write,
      tags,
      summary:
        'Cancel a collection before its money arrived: its bills are collectable again (the bookkeeper, the Admin)',
      request: { params: ClubId },
      responses: {
        200: jsonResponse(CollectionSchema, 'The collection'),
        ...errorResponses,
        ...refusals(coopErrors, ['collection_cancelled', 'collection_arrived']),
      },
    }),
    async (c) =>
      c.json(collectionJson(await cancelCollection(deps, c.get('actor'), c.req.valid('param').id)), 200),
  );

  return router;
}
