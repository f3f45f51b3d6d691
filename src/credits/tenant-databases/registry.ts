import { eq } from 'drizzle-orm';
import { type Database, openDatabase } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { creditsErrors } from '../errors';
import { tenantDatabases, whitelabels } from '../schema';
import { passwordOf, serverNames, settingsFor, type TenantDatabase } from './provisioning';
import { type TenantDatabaseDeps, tenantFolder, tenantUrl } from './settings';

const DEFAULT_POOL_SIZE = 5;

/**
 * The resellers' own databases one Tally process has open: each opened once, when first asked for
 * and ready, and kept until the process stops. An embedded tenant's folder must never be opened
 * twice at once, so the cache is keyed by the database, whichever of the reseller's domain claims
 * asked for it.
 */
export class TenantDatabases {
  private readonly opened = new Map<string, Promise<Database>>();
  /** Which database each whitelabel set-up asked for resolved to, so a repeat asks the main database nothing. */
  private readonly byWhitelabel = new Map<string, string>();
  private closed = false;

  constructor(private readonly deps: TenantDatabaseDeps) {}

  /** The database of the reseller whose whitelabel set-up this is, once it is ready. */
  async open(whitelabelId: string): Promise<Database> {
    if (this.closed) throw new AppError('unavailable', 'Tally is stopping');
    const known = this.byWhitelabel.get(whitelabelId);
    const cached = known ? this.opened.get(known) : undefined;
    if (cached) return cached;
    const [found] = await this.deps.db
      .select({ row: tenantDatabases })
      .from(whitelabels)
      .innerJoin(tenantDatabases, eq(tenantDatabases.userId, whitelabels.userId))
      .where(eq(whitelabels.id, whitelabelId));
    if (!found) throw notFound('tenant database');
    const { row } = found;
    if (row.state !== 'ready') {
      throw creditsErrors.error('tenant_database_not_ready', `the reseller's database is ${row.state}`, {
        state: row.state,
      });
    }
    if (this.closed) throw new AppError('unavailable', 'Tally is stopping');
    this.byWhitelabel.set(whitelabelId, row.id);
    let opening = this.opened.get(row.id);
    if (!opening) {
      opening = this.connect(row);
      this.opened.set(row.id, opening);
      // A database that would not open is asked for again next time, not remembered as broken.
      opening.catch(() => this.opened.delete(row.id));
    }
    return opening;
  }

  /** Closes every database it opened; nothing opens after this. */
  async close(): Promise<void> {
    this.closed = true;
    const opening = [...this.opened.values()];
    this.opened.clear();
    this.byWhitelabel.clear();
    await Promise.allSettled(opening.map(async (database) => (await database).close()));
  }

  private async connect(row: TenantDatabase): Promise<Database> {
    const settings = settingsFor(this.deps, row);
    if (settings.engine === 'pglite') {
      return openDatabase({ dataDir: tenantFolder(settings.folder, row.databaseName) });
    }
    const names = serverNames(row);
    return openDatabase({
      url: tenantUrl(settings.serverUrl, names.databaseName, names.roleName, passwordOf(this.deps, row)),
      poolSize: settings.poolSize ?? DEFAULT_POOL_SIZE,
    });
  }
}
