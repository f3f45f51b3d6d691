import { sql } from 'drizzle-orm';
import type { Actor } from '../actor';
import { recordAudit } from '../audit/service';
import type { Clock } from '../clock';
import { type Db, parseTimestamp, queryRows } from '../database';
import { AppError, notFound } from '../errors';
import { newId } from '../ids';
import { requireSessionUser } from './sessions';
import { API_KEY_PREFIX, hashSecret, newSecret } from './tokens';

/**
 * API keys let a person's servers call Tally. Each key carries scopes (what it may do), chosen from
 * those the core and the product lines register; the secret is shown once and stored as SHA-256.
 */

/** The scopes of the core's own routes; each product line lists its own beside them. */
export const coreScopes: Readonly<Record<string, string>> = {
  'profile:read': 'Read the key owner’s profile',
  'profile:write': 'Change the key owner’s name and profile',
  'orgs:read': 'Read the organisations the owner belongs to',
  'orgs:write': 'Create and change organisations and their members, as the owner may',
  'notifications:read': 'Read the owner’s notifications',
  'notifications:write': 'Mark the owner’s notifications read and change their notification settings',
  'audit:read': 'Read and export the audit log (an administrator’s key only)',
  'files:read': 'Download the files the owner uploaded',
  'files:write': 'Upload files as the owner',
};

const SCOPE_NAME = /^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$/;

/** Every scope a key of this Tally may carry: the core's and its lines'. */
export class ApiScopes {
  private readonly byScope = new Map<string, string>();

  constructor(declared: Readonly<Record<string, string>>[]) {
    for (const [scope, description] of declared.flatMap((d) => Object.entries(d))) {
      if (!SCOPE_NAME.test(scope)) throw new Error(`"${scope}" is not a scope name (area:verb)`);
      if (this.byScope.has(scope)) throw new Error(`scope "${scope}" is declared twice`);
      // A person choosing a key's scopes reads this, not the name.
      if (description.trim() === '') throw new Error(`scope "${scope}" has no description`);
      this.byScope.set(scope, description);
    }
  }

  has(scope: string): boolean {
    return this.byScope.has(scope);
  }

  list(): { scope: string; description: string }[] {
    return [...this.byScope]
      .map(([scope, description]) => ({ scope, description }))
      .sort((a, b) => a.scope.localeCompare(b.scope));
  }
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

const toApiKey = (row: ApiKeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes,
  createdAt: parseTimestamp(row.created_at),
  lastUsedAt: row.last_used_at ? parseTimestamp(row.last_used_at) : null,
  expiresAt: row.expires_at ? parseTimestamp(row.expires_at) : null,
  revokedAt: row.revoked_at ? parseTimestamp(row.revoked_at) : null,
});

const columns = sql.raw(
  'id, name, prefix, scopes, created_at::text, last_used_at::text, expires_at::text, revoked_at::text',
);

export async function createApiKey(
  { db, clock, scopes }: { db: Db; clock: Clock; scopes: ApiScopes },
  actor: Actor,
  /** `name` as the route's schema leaves it: one line, trimmed, not empty. */
  input: { name: string; scopes: string[]; expiresAt?: Date | null },
): Promise<{ apiKey: ApiKey; secret: string }> {
  const userId = requireSessionUser(actor);
  const unknown = input.scopes.filter((scope) => !scopes.has(scope));
  if (unknown.length > 0) {
    throw new AppError('validation_failed', `unknown scope: ${unknown.join(', ')}`, { field: 'scopes' });
  }
  if (input.expiresAt && input.expiresAt.getTime() <= clock.now().getTime()) {
    throw new AppError('validation_failed', 'the expiry must be in the future', { field: 'expires_at' });
  }
  const secret = newSecret(API_KEY_PREFIX);
  return db.transaction(async (tx) => {
    const [row] = await queryRows<ApiKeyRow>(
      tx,
      sql`INSERT INTO core_api_keys (id, user_id, name, prefix, key_hash, scopes, created_at, expires_at)
          VALUES (${newId()}, ${userId}, ${input.name}, ${secret.slice(0, API_KEY_PREFIX.length + 6)},
            ${hashSecret(secret)}, ${sql.param([...new Set(input.scopes)])}::text[], ${clock.now()},
            ${input.expiresAt ?? null})
          RETURNING ${columns}`,
    );
    const apiKey = toApiKey(row!);
    await recordAudit(tx, clock, actor, {
      action: 'api_key.create',
      objectType: 'api_key',
      objectId: apiKey.id,
      details: { name: apiKey.name, scopes: apiKey.scopes },
    });
    return { apiKey, secret };
  });
}

export async function listApiKeys(db: Db, actor: Actor): Promise<ApiKey[]> {
  const userId = requireSessionUser(actor);
  const rows = await queryRows<ApiKeyRow>(
    db,
    sql`SELECT ${columns} FROM core_api_keys WHERE user_id = ${userId} ORDER BY created_at DESC`,
  );
  return rows.map(toApiKey);
}

export async function revokeApiKey(db: Db, clock: Clock, actor: Actor, id: string): Promise<ApiKey> {
  const userId = requireSessionUser(actor);
  return db.transaction(async (tx) => {
    const [row] = await queryRows<ApiKeyRow>(
      tx,
      sql`UPDATE core_api_keys SET revoked_at = coalesce(revoked_at, ${clock.now()})
          WHERE id = ${id} AND user_id = ${userId} RETURNING ${columns}`,
    );
    if (!row) throw notFound('API key', { id });
    await recordAudit(tx, clock, actor, { action: 'api_key.revoke', objectType: 'api_key', objectId: id });
    return toApiKey(row);
  });
}
