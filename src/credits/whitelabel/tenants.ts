import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import type { Tenant, TenantDirectory } from '../../core/tenants';

/**
 * The credits line's tenants: every whitelabel reseller whose domain is active is served on it under
 * its brand. Its people there are the reseller itself and its customers: whoever first bought from
 * it, or holds one of its products.
 */
export function whitelabelTenants(db: Db): TenantDirectory {
  return {
    async byHost(host) {
      const [row] = await queryRows<TenantRow>(
        db,
        sql`SELECT w.id, w.domain, w.user_id, w.brand_name, w.logo_file_id, w.primary_color, w.accent_color,
                   u.name AS owner_name
            FROM credits_whitelabels w JOIN core_users u ON u.id = w.user_id
            WHERE w.domain = ${host} AND w.status = 'active'`,
      );
      return row ? tenantOf(row) : null;
    },
    async admits(tenant, userId) {
      if (userId === tenant.ownerUserId) return true;
      const [row] = await queryRows<{ admitted: boolean }>(
        db,
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
});
