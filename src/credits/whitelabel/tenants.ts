import { sql } from 'drizzle-orm';
import type { Clock } from '../../core/clock';
import { type Db, queryRows } from '../../core/database';
import type { Tenant, TenantDirectory } from '../../core/tenants';
import type { TenantDatabases } from '../tenant-databases/registry';
import { prepareTenantDatabase } from '../tenant-databases/tenancy';

/**
 * The credits line's tenants: every whitelabel reseller whose domain is active is served on it under
 * its brand. Its people there are the reseller itself and its customers: whoever first bought from
 * it, or holds one of its products. A reseller with a database of its own is served from it (made
 * ready for it once per process, `prepareTenantDatabase`), and its people are whoever that database
 * knows; while the database is being made, or the shop moves between databases, its domain answers
 * that it is unavailable. A database the shop moved back out of (`retired`) is not served.
 */
export function whitelabelTenants(deps: {
  ownDb: Db;
  clock: Clock;
  databases: Pick<TenantDatabases, 'open'>;
}): TenantDirectory {
  const { ownDb } = deps;
  const prepared = new Map<string, Promise<Db>>();
  const openPrepared = (row: TenantRow): Promise<Db> => {
    let opening = prepared.get(row.id);
    if (!opening) {
      opening = deps.databases.open(row.id).then(async ({ db }) => {
        await prepareTenantDatabase(deps, db, row.user_id);
        return db;
      });
      prepared.set(row.id, opening);
      // A database that would not open or take the reseller is tried again at the next request.
      opening.catch(() => prepared.delete(row.id));
    }
    return opening;
  };
  return {
    async byHost(host) {
      const [row] = await queryRows<TenantRow>(
        ownDb,
        sql`SELECT w.id, w.domain, w.user_id, w.brand_name, w.logo_file_id, w.primary_color, w.accent_color,
                   u.name AS owner_name, d.state AS database_state,
                   (SELECT m.state FROM credits_tenant_moves m
                    WHERE m.reseller_user_id = w.user_id AND m.state <> 'done') AS move_state
            FROM credits_whitelabels w JOIN core_users u ON u.id = w.user_id
            LEFT JOIN credits_tenant_databases d ON d.user_id = w.user_id
            WHERE w.domain = ${host} AND w.status = 'active'`,
      );
      if (!row) return null;
      const tenant = tenantOf(row);
      // While its shop is copied from one database to the other, neither is the whole of it; while
      // the database it moves into is made, it is served from the one it leaves.
      if (row.move_state === 'moving') {
        return { ...tenant, unavailable: `${tenant.name} is moving: try again in a few minutes` };
      }
      const served = row.move_state === 'preparing' ? null : row.database_state;
      if (served === null || served === 'retired') return tenant;
      if (served !== 'ready') {
        return {
          ...tenant,
          unavailable: `${tenant.name} is moving to a database of its own: try again shortly`,
        };
      }
      try {
        return { ...tenant, database: await openPrepared(row) };
      } catch {
        return {
          ...tenant,
          unavailable: `${tenant.name}'s database cannot be reached right now: try again shortly`,
        };
      }
    },
    async admits(tenant, userId) {
      if (tenant.database) {
        // Its own database knows only its people: whoever signed in there is one of them.
        const [known] = await queryRows<{ id: string }>(
          tenant.database,
          sql`SELECT id FROM core_users WHERE id = ${userId}`,
        );
        return known !== undefined;
      }
      if (userId === tenant.ownerUserId) return true;
      const [row] = await queryRows<{ admitted: boolean }>(
        ownDb,
        sql`SELECT EXISTS (
              SELECT 1 FROM credits_customers
              WHERE user_id = ${userId} AND reseller_user_id = ${tenant.ownerUserId}
            ) OR EXISTS (
              SELECT 1 FROM credits_holdings h JOIN credits_products p ON p.id = h.product_id
              WHERE h.user_id = ${userId} AND p.owner_user_id = ${tenant.ownerUserId}
            ) AS admitted`,
      );
      return row?.admitted === true;
    },
  };
}

interface TenantRow {
  id: string;
  domain: string;
  user_id: string;
  brand_name: string | null;
  logo_file_id: string | null;
  primary_color: string | null;
  accent_color: string | null;
  owner_name: string;
  database_state: string | null;
  move_state: 'preparing' | 'moving' | null;
}

/** Where a tenant's logo is served publicly; the file's id in the query makes a new logo a new address. */
export const logoUrlOf = (whitelabelId: string, logoFileId: string) =>
  `/api/credits/brands/${whitelabelId}/logo?v=${logoFileId}`;

const tenantOf = (row: TenantRow): Tenant => ({
  id: row.id,
  domain: row.domain,
  ownerUserId: row.user_id,
  name: row.brand_name ?? (row.owner_name.trim() || row.domain),
  logoUrl: row.logo_file_id ? logoUrlOf(row.id, row.logo_file_id) : null,
  primaryColor: row.primary_color,
  accentColor: row.accent_color,
  database: null,
  unavailable: null,
});
