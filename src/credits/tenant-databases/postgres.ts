import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { type Db, openDatabase, pgErrorCode } from '../../core/database';
import { TENANT_NAME, tenantUrl } from './settings';

/**
 * A reseller's database on Tally's PostgreSQL server: a role of its own that owns a database of its
 * own, made through the main connection (whose role must hold CREATEROLE and CREATEDB), then
 * migrated by the new role itself. Each function finds what an earlier, interrupted try made and
 * carries on, so a step may run any number of times.
 */

const DUPLICATE_OBJECT = '42710';
const DUPLICATE_DATABASE = '42P04';

export interface TenantServerNames {
  databaseName: string;
  roleName: string;
}

/**
 * The role, the database it owns, and nobody else's right to connect to it. CREATE DATABASE cannot
 * run in a transaction, so each statement commits on its own: a crash between two leaves what ran,
 * and the next try finds it.
 */
export async function createTenantRoleAndDatabase(
  db: Db,
  names: TenantServerNames,
  password: string,
): Promise<void> {
  const role = identifier(names.roleName);
  const database = identifier(names.databaseName);
  // The server is sent the SCRAM verifier, never the password: a statement log or an error quoting
  // the statement shows nothing that logs in (PostgreSQL stores a verifier given this way as it is).
  const attributes = `LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`;
  try {
    await execute(db, `CREATE ROLE ${role} ${attributes}`);
  } catch (error) {
    if (pgErrorCode(error) !== DUPLICATE_OBJECT) throw error;
    // Made by a try that stopped before recording it: the same attributes and password again.
    await execute(db, `ALTER ROLE ${role} ${attributes}`);
  }
  // Making a database owned by another role takes membership of it (PostgreSQL 16 grants a
  // CREATEROLE role only the admin option on the roles it makes); a repeat grant changes nothing.
  await execute(db, `GRANT ${role} TO CURRENT_USER`);
  try {
    await execute(db, `CREATE DATABASE ${database} OWNER ${role}`);
  } catch (error) {
    if (pgErrorCode(error) !== DUPLICATE_DATABASE) throw error;
  }
  // Every role may connect to a new database by default; a tenant's is its owner's alone, so
  // another reseller's role (or anyone's) is refused at the door, whatever pg_hba.conf allows.
  await execute(db, `REVOKE ALL ON DATABASE ${database} FROM PUBLIC`);
}

/** Tally's tables in the tenant's database, made by the tenant's role (so it owns them), with the main migrations. */
export async function migrateTenantDatabase(
  serverUrl: string,
  names: TenantServerNames,
  password: string,
): Promise<void> {
  const database = await openDatabase({
    url: tenantUrl(serverUrl, names.databaseName, names.roleName, password),
    poolSize: 2,
  });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}

/**
 * The verifier PostgreSQL keeps for a SCRAM-SHA-256 password (RFC 5802, RFC 7677; the format of its
 * `scram_build_secret`). Tally's passwords are base64url, which SASLprep leaves as they are.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password, salt, iterations, 32, 'sha256');
  const clientKey = createHmac('sha256', salted).update('Client Key').digest();
  const storedKey = createHash('sha256').update(clientKey).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/** A name quoted for SQL, and only one of the names Tally makes: nothing else is ever spliced in. */
function identifier(name: string): string {
  if (!TENANT_NAME.test(name)) throw new Error('not a tenant database or role name');
  return pg.escapeIdentifier(name);
}

/**
 * Runs one statement outside any transaction. A failure keeps the server's words and code but not
 * the statement the driver quotes with them, which may hold the password's verifier.
 */
async function execute(db: Db, statement: string): Promise<void> {
  try {
    await db.execute(sql.raw(statement));
  } catch (error) {
    throw Object.assign(new Error(driverMessage(error)), { code: pgErrorCode(error) });
  }
}

/** What the driver or the server said, without the query a wrapper adds. */
export function driverMessage(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current instanceof AggregateError && current.errors.length > 0) {
      // A host name with several addresses fails once per address.
      return current.errors.map((each) => driverMessage(each)).join('; ');
    }
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}
