import { sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import { isUuid } from '../../core/ids';
import { type FloatDeps, openTenantOf } from '../float/top-ups';
import { prepareTenantDatabase } from './tenancy';

/** A reseller's own database, where one of its shop's products is sold. */
export interface ShopDatabase {
  db: Db;
  resellerUserId: string;
}

/**
 * Finds the shop that sells a product, or null when Tally's database holds it: a reseller with a
 * database of its own makes its products there, and a sales platform reporting a sale of one (by
 * webhook, to Tally's address) names only the product. Each ready database is asked in turn, once
 * per product and process: a product found stays its shop's (a shop that moves back brings its
 * products to Tally's database, where they are found first).
 */
export function shopFinder(float: FloatDeps) {
  const found = new Map<string, string>();
  const holds = async (db: Db, productId: string) =>
    (await queryRows(db, sql`SELECT 1 FROM credits_products WHERE id = ${productId}`)).length > 0;
  return {
    async byProduct(productId: string): Promise<ShopDatabase | null> {
      if (!isUuid(productId) || (await holds(float.db, productId))) return null;
      const ready = await queryRows<{ user_id: string }>(
        float.db,
        sql`SELECT user_id FROM credits_tenant_databases WHERE state = 'ready' ORDER BY user_id`,
      );
      const known = found.get(productId);
      const order = known
        ? [known, ...ready.map((r) => r.user_id).filter((id) => id !== known)]
        : ready.map((r) => r.user_id);
      for (const resellerUserId of order) {
        if (!ready.some((r) => r.user_id === resellerUserId)) continue;
        const { db } = await openTenantOf(float, resellerUserId);
        if (!(await holds(db, productId))) continue;
        found.set(productId, resellerUserId);
        await prepareTenantDatabase({ ownDb: float.db, clock: float.clock }, db, resellerUserId);
        return { db, resellerUserId };
      }
      return null;
    },
  };
}

export type ShopFinder = ReturnType<typeof shopFinder>;
