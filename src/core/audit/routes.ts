import { createRoute, z } from '@hono/zod-openapi';
import { namesOf, type PersonName } from '../auth/names';
import type { Clock } from '../clock';
import { CSV_EXPORT_MAX_ROWS, collectPages, csvHeaders, toCsv } from '../csv';
import type { Db } from '../database';
import { createRouter, ErrorSchema, errorResponses } from '../http';
import { pageJson, pageQuery, pageSchema } from '../paging';
import { type AuditEntry, type AuditFilter, listAuditEntries } from './service';

/** The audit log for administrators under /api/audit: a paged JSON list and a CSV export. */

const tags = ['Audit'];

const filterShape = {
  actor_user_id: z.uuid().optional(),
  action: z.string().min(1).max(100).optional().openapi({ example: 'invitation.accept' }),
  object_type: z.string().min(1).max(100).optional().openapi({ example: 'organization' }),
  object_id: z.string().min(1).max(200).optional(),
  organization_id: z.uuid().optional(),
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'entries at or after (ISO 8601)' }),
  to: z.iso
    .datetime({ offset: true })
    .optional()
    .openapi({ description: 'entries strictly before (ISO 8601)' }),
  cursor: pageQuery.cursor,
};

// Strict: a misspelt filter would otherwise silently widen what an administrator reads or exports.
const ListQuery = z.strictObject({
  ...filterShape,
  limit: pageQuery.limit,
});
const ExportQuery = z.strictObject({
  ...filterShape,
  limit: z.coerce.number().int().min(1).max(CSV_EXPORT_MAX_ROWS).optional(),
});

const AuditEntrySchema = z
  .object({
    id: z.uuid(),
    at: z.string(),
    actor_user_id: z.uuid().nullable(),
    actor: z
      .object({ name: z.string(), email: z.string().nullable() })
      .nullable()
      .openapi({ description: 'the person who acted, by name (null: a key of the operator, or the system)' }),
    actor_api_key_id: z.uuid().nullable(),
    action: z.string(),
    object_type: z.string(),
    object_id: z.string().nullable(),
    organization_id: z.uuid().nullable(),
    ip: z.string().nullable(),
    request_id: z.string().nullable(),
    details: z.record(z.string(), z.unknown()),
  })
  .openapi('AuditEntry');

type Named = ReadonlyMap<string, PersonName>;

const auditEntryJson = (e: AuditEntry, names: Named = new Map()) => ({
  id: e.id,
  at: e.at.toISOString(),
  actor_user_id: e.actorUserId,
  actor: e.actorUserId ? (names.get(e.actorUserId) ?? null) : null,
  actor_api_key_id: e.actorApiKeyId,
  action: e.action,
  object_type: e.objectType,
  object_id: e.objectId,
  organization_id: e.organizationId,
  ip: e.ip,
  request_id: e.requestId,
  details: e.details,
});

const csvColumns = [
  'id',
  'at',
  'actor_user_id',
  'actor_api_key_id',
  'action',
  'object_type',
  'object_id',
  'organization_id',
  'ip',
  'request_id',
  'details',
] as const;

const csvRow = (e: AuditEntry) => {
  const entry = auditEntryJson(e);
  return csvColumns.map((column) => (column === 'details' ? JSON.stringify(entry.details) : entry[column]));
};

const toFilter = (query: z.output<typeof ListQuery> | z.output<typeof ExportQuery>): AuditFilter => ({
  actorUserId: query.actor_user_id,
  action: query.action,
  objectType: query.object_type,
  objectId: query.object_id,
  organizationId: query.organization_id,
  from: query.from ? new Date(query.from) : undefined,
  to: query.to ? new Date(query.to) : undefined,
  cursor: query.cursor,
});

const responses = {
  ...errorResponses,
  403: { description: 'Administrators only', content: { 'application/json': { schema: ErrorSchema } } },
} as const;

export interface AuditRouteDeps {
  db: Db;
  clock: Clock;
}

export function auditRoutes({ db, clock }: AuditRouteDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      access: { caller: 'admin', scope: 'audit:read' },
      tags,
      summary: 'The audit log, newest first, filtered and paged (administrators)',
      request: { query: ListQuery },
      responses: {
        200: {
          description: 'A page of entries',
          content: { 'application/json': { schema: pageSchema(AuditEntrySchema) } },
        },
        ...responses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const query = c.req.valid('query');
      const page = await listAuditEntries(db, actor, { ...toFilter(query), limit: query.limit });
      const names = await namesOf(
        db,
        page.items.flatMap((e) => (e.actorUserId ? [e.actorUserId] : [])),
      );
      return c.json(
        pageJson(page, (e) => auditEntryJson(e, names)),
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/export.csv',
      access: { caller: 'admin', scope: 'audit:read' },
      tags,
      summary: `The audit log as CSV, newest first, with the same filters (administrators; up to ${CSV_EXPORT_MAX_ROWS} rows)`,
      description:
        'When more entries match than `limit` (at most 10,000), the `X-Next-Cursor` header carries the ' +
        '`cursor` for the next file.',
      request: { query: ExportQuery },
      responses: {
        200: { description: 'CSV, RFC 4180', content: { 'text/csv': { schema: z.string() } } },
        ...responses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const query = c.req.valid('query');
      const filter = toFilter(query);
      const { rows, nextCursor } = await collectPages(
        (page) => listAuditEntries(db, actor, { ...filter, ...page }),
        {
          wanted: query.limit ?? CSV_EXPORT_MAX_ROWS,
          cursor: filter.cursor,
        },
      );
      return c.body(
        toCsv(csvColumns, rows.map(csvRow)),
        200,
        csvHeaders('tally-audit', clock.now(), nextCursor),
      );
    },
  );

  return router;
}
