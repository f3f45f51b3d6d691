import fs from 'node:fs';
import { openDatabase } from '../../core/database';

/**
 * A reseller's database on an embedded Tally: a PGlite data folder of its own. There is no server,
 * so no role and no password: whoever can read the folder can read the data, as with the main one.
 */

/**
 * The folder, initialised. It is made under another name and renamed when whole, so a crash during
 * the initialisation leaves no folder that looks made; a try after the rename finds it and carries on.
 */
export async function createTenantFolder(folder: string): Promise<void> {
  if (fs.existsSync(folder)) return;
  const partial = `${folder}.partial`;
  fs.rmSync(partial, { recursive: true, force: true });
  const database = await openDatabase({ dataDir: partial });
  await database.close();
  fs.renameSync(partial, folder);
}

/** Tally's tables in the tenant's folder, by the main migrations. */
export async function migrateTenantFolder(folder: string): Promise<void> {
  if (!fs.existsSync(folder)) throw new Error('the tenant database folder is missing');
  const database = await openDatabase({ dataDir: folder });
  try {
    await database.migrate();
  } finally {
    await database.close();
  }
}
