import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { Clock } from '../../core/clock';
import type { Config } from '../../core/config';
import type { Db } from '../../core/database';
import type { Keyring } from '../../core/keyring';
import type { Logger } from '../../core/log';

/**
 * Where this Tally makes its resellers' own databases: on its PostgreSQL server (the one its main
 * database is on), or, on the embedded database, as PGlite data folders of their own.
 */
export type TenantDatabaseSettings =
  | {
      engine: 'postgres';
      /**
       * The main database's URL: its host, port and options are those of every tenant database;
       * only the database name and the credentials are the tenant's.
       */
      serverUrl: string;
      /** Connections each opened tenant database may hold. */
      poolSize?: number;
    }
  | { engine: 'pglite'; folder: string };

/** The tenants' databases beside the main one: on its server, or in `TALLY_HOME/tenants`. */
export function tenantDatabaseSettings(config: Pick<Config, 'databaseUrl' | 'home'>): TenantDatabaseSettings {
  return config.databaseUrl
    ? { engine: 'postgres', serverUrl: config.databaseUrl }
    : { engine: 'pglite', folder: path.join(config.home, 'tenants') };
}

/** What provisioning, the routes and the registry need. */
export interface TenantDatabaseDeps {
  /** The main database; on PostgreSQL its role makes the tenants' roles and databases. */
  db: Db;
  clock: Clock;
  keys: Keyring;
  log: Logger;
  settings: TenantDatabaseSettings;
}

/**
 * A new database (and role) name: 64 random bits. The seed derives credentials from the domain, but a
 * domain is public, and a name or password anyone can work out from it is one anyone can guess.
 */
export const newTenantDatabaseName = (): string => `tally_t_${randomBytes(8).toString('hex')}`;

/** The names `newTenantDatabaseName` makes, and nothing else: what reaches SQL is checked again. */
export const TENANT_NAME = /^tally_t_[0-9a-f]{16}$/;

/** A role's password: 32 random bytes, kept only sealed. */
export const newTenantPassword = (): string => randomBytes(32).toString('base64url');

/**
 * The keyring purpose a role's password is sealed under: the role's name is part of it, so a sealed
 * password copied onto another row opens for nothing.
 */
export const passwordPurpose = (roleName: string): string => `credits.tenant_database.password:${roleName}`;

/** The URL the tenant's role connects with: the main server's, with the tenant's database and credentials. */
export function tenantUrl(
  serverUrl: string,
  databaseName: string,
  roleName: string,
  password: string,
): string {
  const url = new URL(serverUrl);
  url.username = roleName;
  url.password = password;
  url.pathname = `/${databaseName}`;
  return url.toString();
}

/** The data folder of a tenant's embedded database. */
export const tenantFolder = (folder: string, databaseName: string): string => {
  if (!TENANT_NAME.test(databaseName)) throw new Error('not a tenant database name');
  return path.join(folder, databaseName);
};
