import { type SQL, sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { requireAdmin } from '../actor';
import type { Clock } from '../clock';
import { columnsOf, type Db, parseTimestamp, queryRows } from '../database';
import { AppError } from '../errors';
import { newId } from '../ids';
import { idFromCursor, type Page, pageLimit, pageOf } from '../paging';

export interface AuditEntryInput {
  action: string;
  objectType: string;
  objectId?: string | null;
  organizationId?: string | null;
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: string;
  at: Date;
  actorUserId: string | null;
  actorApiKeyId: string | null;
  action: string;
  objectType: string;
  objectId: string | null;
  organizationId: string | null;
  ip: string | null;
  requestId: string | null;
  details: Record<string, unknown>;
}

/** Records a mutating call; pass the transaction of the change so the entry exists exactly when the change does. */
export async function recordAudit(tx: Db, clock: Clock, actor: Actor, entry: AuditEntryInput): Promise<void> {
  await recordAudits(tx, clock, [{ actor, entry }]);
}

/** Several entries in one statement: what a group commit writes for the calls it carried. */
export async function recordAudits(
  tx: Db,
  clock: Clock,
  entries: readonly { actor: Actor; entry: AuditEntryInput }[],
): Promise<void> {
  const insert = auditInsert(clock, entries);
  if (insert) await tx.execute(insert);
}

/** The statement that records these entries (to run alone, or inside another statement); null for none. */
export function auditInsert(
  clock: Clock,
  entries: readonly { actor: Actor; entry: AuditEntryInput }[],
): SQL | null {
  if (entries.length === 0) return null;
  const column = columnsOf(entries);
  return sql`
    INSERT INTO core_audit_log (id, at, actor_user_id, actor_api_key_id, action, object_type, object_id,
      organization_id, ip, request_id, details)
    SELECT id, ${clock.now()}, actor_user_id, actor_api_key_id, action, object_type, object_id, organization_id, ip,
      request_id, details
    FROM unnest(${column(() => newId())}::uuid[], ${column((e) => e.actor.userId)}::uuid[],
      ${column((e) => e.actor.apiKeyId)}::uuid[], ${column((e) => e.entry.action)}::text[],
      ${column((e) => e.entry.objectType)}::text[], ${column((e) => e.entry.objectId ?? null)}::text[],
      ${column((e) => e.entry.organizationId ?? null)}::uuid[], ${column((e) => e.actor.ip)}::text[],
      ${column((e) => e.actor.requestId)}::text[], ${column((e) => JSON.stringify(e.entry.details ?? {}))}::jsonb[])
      AS u(id, actor_user_id, actor_api_key_id, action, object_type, object_id, organization_id, ip, request_id, details)`;
}

export interface AuditFilter {
  actorUserId?: string;
  action?: string;
  objectType?: string;
  objectId?: string;
  organizationId?: string;
  from?: Date;
  to?: Date;
  cursor?: string;
  limit?: number;
}

interface AuditRow {
  id: string;
  at: string;
  actor_user_id: string | null;
  actor_api_key_id: string | null;
  action: string;
  object_type: string;
  object_id: string | null;
  organization_id: string | null;
  ip: string | null;
  request_id: string | null;
  details: Record<string, unknown>;
}

/** The audit log, newest first, filtered; administrators only. */
export async function listAuditEntries(
  db: Db,
  actor: Actor,
  filter: AuditFilter = {},
): Promise<Page<AuditEntry>> {
  requireAdmin(actor);
  const limit = pageLimit(filter.limit);
  const before = idFromCursor(filter.cursor);
  const conditions: SQL[] = [sql`TRUE`];
  if (filter.actorUserId) conditions.push(sql`actor_user_id = ${filter.actorUserId}`);
  if (filter.action) conditions.push(sql`action = ${filter.action}`);
  if (filter.objectType) conditions.push(sql`object_type = ${filter.objectType}`);
  if (filter.objectId) conditions.push(sql`object_id = ${filter.objectId}`);
  if (filter.organizationId) conditions.push(sql`organization_id = ${filter.organizationId}`);
  if (filter.from) conditions.push(sql`at >= ${filter.from}`);
  if (filter.to) conditions.push(sql`at < ${filter.to}`);
  if (before) conditions.push(sql`id < ${before}`);
  if (filter.from && filter.to && filter.from > filter.to) {
    throw new AppError('validation_failed', '"from" must not be after "to"');
  }
  const rows = await queryRows<AuditRow>(
    db,
    sql`SELECT id, at::text, actor_user_id, actor_api_key_id, action, object_type, object_id, organization_id, ip,
          request_id, details
        FROM core_audit_log WHERE ${sql.join(conditions, sql` AND `)} ORDER BY core_audit_log.id DESC LIMIT ${limit + 1}`,
  );
  const entries = rows.map((row) => ({
    id: row.id,
    at: parseTimestamp(row.at),
    actorUserId: row.actor_user_id,
    actorApiKeyId: row.actor_api_key_id,
    action: row.action,
    objectType: row.object_type,
    objectId: row.object_id,
    organizationId: row.organization_id,
    ip: row.ip,
    requestId: row.request_id,
    details: row.details,
  }));
  return pageOf(entries, limit, (entry) => ({ id: entry.id }));
}
