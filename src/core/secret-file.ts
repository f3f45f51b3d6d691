import fs from 'node:fs';
import path from 'node:path';

/**
 * A secret generated on first use and kept in a file only its owner can read, so a fresh machine
 * works without configuration and a restart keeps the same secret. Two processes starting at once
 * agree: the file is created exclusively, and the loser reads the winner's secret.
 */
export function readOrCreateSecretFile(file: string, generate: () => string): string {
  if (fs.existsSync(file)) return fs.readFileSync(file, 'utf8').trim();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const secret = generate();
  try {
    fs.writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file, 'utf8').trim();
    throw error;
  }
}
