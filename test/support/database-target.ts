import { type Database, openDatabase } from '../../src/core/database';

/**
 * Opens a database named by one string, as a test hands it to a child process it may kill: a
 * PostgreSQL URL, or a PGlite directory. No Vitest here: the children import it too.
 */
export function openDatabaseTarget(target: string, poolSize: number): Promise<Database> {
  return target.startsWith('postgres')
    ? openDatabase({ url: target, poolSize })
    : openDatabase({ dataDir: target });
}
