import { sql } from 'drizzle-orm';
import { type Database, type Db, queryRows } from '../../core/database';
import { AppError } from '../../core/errors';
import { withDatabase } from '../../core/request-database';

/** What finding a reseller's shop needs: Tally's own database, and the resellers' databases open here. */
export interface ShopDatabaseDeps {
  ownDb: Db;
  /** The line's `TenantDatabases`: one per process, so an embedded tenant's folder is never opened twice. */
  databases: { open(whitelabelId: string): Promise<Database> };
}

interface ShopRow {
  whitelabel_id: string | null;
  database_state: string | null;
  move_state: 'preparing' | 'moving' | null;
}

/**
 * The database a reseller's shop keeps its people in (their holdings, grants, usages, and the
 * products they bought), or null for Tally's own: its own database once that is ready, unless a
 * move into it is still being prepared (the shop is served from Tally's meanwhile). While a move
 * copies the shop, neither database holds all of it, so the shop's reads wait as its domain does.
 * Decided on Tally's database whatever the host, so the reseller's pages show the same on Tally's
 * site as on its own domain, whatever state that domain is in.
 */
export async function shopDatabaseOf(deps: ShopDatabaseDeps, resellerUserId: string): Promise<Db | null> {
  const [row] = await queryRows<ShopRow>(
    deps.ownDb,
    sql`SELECT w.id AS whitelabel_id, d.state AS database_state,
               (SELECT m.state FROM credits_tenant_moves m
                WHERE m.reseller_user_id = d.user_id AND m.state <> 'done') AS move_state
        FROM credits_tenant_databases d LEFT JOIN credits_whitelabels w ON w.user_id = d.user_id
        WHERE d.user_id = ${resellerUserId}`,
  );
  if (!row) return null;
  if (row.move_state === 'moving') {
    throw new AppError('unavailable', 'Your shop is moving between databases: try again in a few minutes.');
  }
  if (row.move_state === 'preparing' || row.database_state !== 'ready') return null;
  // The registry finds a database by the reseller's domain set-up; without one, nothing can open it.
  if (!row.whitelabel_id) {
    throw new AppError(
      'unavailable',
      'Your shop’s database is reached through your domain: set your domain again to see your shop here.',
    );
  }
  try {
    return (await deps.databases.open(row.whitelabel_id)).db;
  } catch {
    throw new AppError('unavailable', 'Your shop’s database cannot be reached right now: try again shortly.');
  }
}

/** Runs `read` with the reseller's shop's database as the database of the work in progress. */
export async function readShop<T>(
  deps: ShopDatabaseDeps,
  resellerUserId: string,
  read: () => Promise<T>,
): Promise<T> {
  const shop = await shopDatabaseOf(deps, resellerUserId);
  return shop ? withDatabase(shop, read) : read();
}
