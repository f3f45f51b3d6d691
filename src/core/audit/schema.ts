import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** Who did what, to which object, when, from where: one row per mutating call. */
export const auditLog = pgTable(
  'core_audit_log',
  {
    id: uuid('id').primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    actorUserId: uuid('actor_user_id'),
    actorApiKeyId: uuid('actor_api_key_id'),
    action: text('action').notNull(),
    objectType: text('object_type').notNull(),
    objectId: text('object_id'),
    organizationId: uuid('organization_id'),
    ip: text('ip'),
    requestId: text('request_id'),
    details: jsonb('details').notNull().default({}),
  },
  (t) => [
    index('core_audit_at_idx').on(t.at),
    index('core_audit_actor_idx').on(t.actorUserId, t.id),
    index('core_audit_object_idx').on(t.objectType, t.objectId, t.id),
    index('core_audit_org_idx').on(t.organizationId, t.id),
    index('core_audit_action_idx').on(t.action, t.id),
  ],
);
