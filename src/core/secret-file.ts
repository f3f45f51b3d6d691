import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes a file whole or not at all: into a temporary file beside it, flushed to disk, then renamed
 * over it. A crash leaves the old content or the new, never half of one.
 */
export function writeFileAtomically(file: string, content: string | Uint8Array, mode = 0o644): void {
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = fs.openSync(temporary, 'w', mode);
  try {
    fs.writeFileSync(handle, content);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  fs.renameSync(temporary, file);
}

/**
 * A secret generated on first use and kept in a file only its owner can read, so a fresh machine
 * works without configuration and a restart keeps the same secret. The file appears whole (written
 * aside, then linked into place), so a crash never leaves it empty; two processes starting at once
 * agree: the link is exclusive, and the loser reads the winner's secret. An empty file (left by an
 * older version that crashed between creating and writing it) held no secret anyone used: it is
 * replaced.
 */
export function readOrCreateSecretFile(file: string, generate: () => string): string {
  const existing = readSecret(file);
  if (existing) return existing;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = generate();
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  const handle = fs.openSync(temporary, 'wx', 0o600);
  try {
    fs.writeFileSync(handle, `${secret}\n`);
    fs.fsyncSync(handle);
  } finally {
    fs.closeSync(handle);
  }
  try {
    if (existing === '') fs.renameSync(temporary, file);
    else fs.linkSync(temporary, file);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return readSecret(file) || secret;
    throw error;
  } finally {
    fs.rmSync(temporary, { force: true });
  }
}

/** The secret in `file`; '' when the file is there but empty, undefined when there is none. */
function readSecret(file: string): string | undefined {
  if (!fs.existsSync(file)) return undefined;
  return fs.readFileSync(file, 'utf8').trim();
}
