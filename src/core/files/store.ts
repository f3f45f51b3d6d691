import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { isUuid } from '../ids';

/**
 * The bytes of uploaded files, one file per id in a folder (TALLY_FILES_DIR). A file is written
 * under a temporary name and renamed into place, so a crash never leaves half a file under an id.
 * Several processes share one folder (a shared volume) the way they share the database.
 */
export class FileStore {
  constructor(private readonly dir: string) {}

  private pathOf(id: string): string {
    // Ids are UUIDs: a name from a request never becomes a path.
    if (!isUuid(id)) throw new Error(`not a file id: ${id}`);
    return path.join(this.dir, id);
  }

  async write(id: string, bytes: Buffer): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const temporary = path.join(this.dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
    await fs.writeFile(temporary, bytes, { mode: 0o600 });
    await fs.rename(temporary, this.pathOf(id));
  }

  read(id: string): Promise<Buffer> {
    return fs.readFile(this.pathOf(id));
  }

  /** Deletes a file's bytes once its record is gone; bytes already gone are no error (a retry). */
  async remove(id: string): Promise<void> {
    await fs.rm(this.pathOf(id), { force: true });
  }
}
