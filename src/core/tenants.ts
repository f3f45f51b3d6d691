import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Clock } from './clock';
import type { Db } from './database';
import { AppError } from './errors';
import { createRouter, type Env, errorResponses, jsonResponse } from './http';
import { withDatabase } from './request-database';

/**
 * A host Tally serves under someone else's name: a whitelabel reseller's own domain. On it the web
 * app wears the tenant's brand and only the tenant's people may act: its owner and its customers.
 * The core knows tenants only through a `TenantDirectory` a product line provides (the credits line's
 * resellers), so host routing, the TLS `ask` answer and the refusal of strangers are written once.
 */
export interface Tenant {
  /** The line's own id of the tenant (a whitelabel's id). */
  id: string;
  /** The host name it is served on: lower case, no port. */
  domain: string;
  ownerUserId: string;
  /** The name people see instead of Tally's. */
  name: string;
  /** Where its logo is served, or null. */
  logoUrl: string | null;
  /** `#rrggbb`, or null for Tally's own. */
  primaryColor: string | null;
  accentColor: string | null;
  /**
   * The tenant's own database, when it has one: its requests run on it (src/core/request-database.ts),
   * so its people, sessions and data live there alone. Null: it shares Tally's.
   */
  database: Db | null;
  /** Why the tenant cannot be served right now (its own database is being made), or null. */
  unavailable: string | null;
}

export interface TenantDirectory {
  /** The tenant whose active domain `host` is, or null (Tally's own host, or any name not active). */
  byHost(host: string): Promise<Tenant | null>;
  /** Whether the person belongs on the tenant's host: its owner, or one of its customers. */
  admits(tenant: Tenant, userId: string): Promise<boolean>;
}

/** A host as the Host header has it, without its port, lower case, or null when there is none. */
export function hostName(header: string | undefined): string | null {
  if (!header) return null;
  const host = header.trim().toLowerCase();
  // An IPv6 literal keeps its brackets; a port follows its last colon.
  const bare = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.replace(/:\d+$/, '');
  return bare.replace(/\.$/, '') || null;
}

/** How long a host's answer is kept: a domain suspended now stops being served within this. */
const CACHE_MS = 5_000;
const CACHE_LIMIT = 10_000;

/**
 * The directory asked at most once per host every few seconds: every request of a tenant's page asks
 * which tenant it is, and the answer changes only when a domain is activated or suspended.
 */
export function cachedDirectory(directory: TenantDirectory, clock: Clock): TenantDirectory {
  const answers = new Map<string, { tenant: Tenant | null; until: number }>();
  return {
    async byHost(host) {
      const now = clock.now().getTime();
      const known = answers.get(host);
      if (known && known.until > now) return known.tenant;
      const tenant = await directory.byHost(host);
      if (answers.size >= CACHE_LIMIT) answers.clear();
      answers.set(host, { tenant, until: now + CACHE_MS });
      return tenant;
    },
    admits: (tenant, userId) => directory.admits(tenant, userId),
  };
}

/**
 * Sets `tenant` for every request: the tenant whose active domain the Host names, or null. Tally's
 * own host is never a tenant's, whatever the directory holds.
 */
export function tenantFromHost(directory: TenantDirectory | null, ownHost: string): MiddlewareHandler<Env> {
  return async (c, next) => {
    const host = hostName(c.req.header('host'));
    const tenant = directory && host && host !== ownHost ? await directory.byHost(host) : null;
    c.set('tenants', directory);
    c.set('tenant', tenant);
    if (tenant?.unavailable && c.req.path.startsWith('/api/') && c.req.path !== '/api/tenant') {
      throw new AppError('unavailable', tenant.unavailable);
    }
    if (tenant?.database) return withDatabase(tenant.database, next);
    await next();
  };
}

/**
 * On a tenant's host, only its people act, and none as an administrator of Tally: its owner manages
 * its own tenant there, its customers their own credits. Any other person's session or key, and the
 * operator's key, are refused, so a reseller's key used on another reseller's host opens nothing.
 * Runs after `authenticate`.
 */
export function admitToTenant(): MiddlewareHandler<Env> {
  return async (c, next) => {
    const actor = c.get('actor');
    if (actor.userId || actor.isAdmin) {
      await requireTenantMember(c, actor.userId);
      if (c.get('tenant')) c.set('actor', { ...actor, isAdmin: false });
    }
    await next();
  };
}

/**
 * Refuses a person (or the operator, `null`) on a tenant's host the tenant does not admit; on Tally's
 * own host everyone passes. Sign-in routes call it before they hand out a session's cookie.
 */
export async function requireTenantMember(c: Context<Env>, userId: string | null): Promise<void> {
  const tenant = c.get('tenant');
  const directory = c.get('tenants');
  if (!tenant || !directory) return;
  if (!userId || !(await directory.admits(tenant, userId))) {
    throw new AppError('forbidden', `this account does not belong to ${tenant.domain}`, {
      reason: 'other_tenant',
    });
  }
}

const TenantSchema = z
  .object({
    domain: z.string(),
    name: z.string(),
    logo_url: z.string().nullable(),
    primary_color: z.string().nullable(),
    accent_color: z.string().nullable(),
  })
  .openapi('Tenant');

/**
 * `GET /api/tenant`, the brand the web app wears on this host, and `GET /api/tenants/tls-ask`, which a
 * TLS-terminating proxy asks before it fetches a certificate for a name (Caddy's on-demand TLS): yes
 * only for an active tenant domain, so nobody can make the proxy ask a certificate authority for
 * names of their choosing.
 */
export function tenantRoutes(directory: TenantDirectory | null) {
  const router = createRouter();
  router.openapi(
    createRoute({
      method: 'get',
      path: '/tenant',
      access: { caller: 'anyone' },
      tags: ['Tenants'],
      summary: 'The brand this host is served under, or null on Tally’s own host',
      responses: {
        200: jsonResponse(z.object({ tenant: TenantSchema.nullable() }), 'The tenant'),
        ...errorResponses,
      },
    }),
    (c) => {
      const tenant = c.get('tenant');
      return c.json(
        {
          tenant: tenant
            ? {
                domain: tenant.domain,
                name: tenant.name,
                logo_url: tenant.logoUrl,
                primary_color: tenant.primaryColor,
                accent_color: tenant.accentColor,
              }
            : null,
        },
        200,
      );
    },
  );
  router.openapi(
    createRoute({
      method: 'get',
      path: '/tenants/tls-ask',
      access: { caller: 'anyone' },
      tags: ['Tenants'],
      summary:
        'Whether a certificate may be fetched for `domain` (a proxy’s on-demand TLS asks this): 200 for an active tenant domain, 404 otherwise',
      request: { query: z.object({ domain: z.string().min(1).max(253) }) },
      responses: {
        200: jsonResponse(z.object({ domain: z.string() }), 'An active tenant domain'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const host = hostName(c.req.valid('query').domain);
      const tenant = directory && host ? await directory.byHost(host) : null;
      if (!tenant) throw new AppError('not_found', `${host ?? 'that name'} is not an active domain here`);
      return c.json({ domain: tenant.domain }, 200);
    },
  );
  return router;
}
