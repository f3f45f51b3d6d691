import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * The operator key for admin APIs: ADMIN_API_KEY when set; otherwise one generated on first start
 * and kept in TALLY_HOME/admin-api-key (readable by its owner only), so a fresh machine works
 * without configuration and a restart keeps the same key.
 */
export function resolveAdminApiKey(
  configured: string | undefined,
  home: string,
): { key: string; file?: string } {
  if (configured) return { key: configured };
  const file = path.join(home, 'admin-api-key');
  if (fs.existsSync(file)) return { key: fs.readFileSync(file, 'utf8').trim(), file };
  fs.mkdirSync(home, { recursive: true });
  const key = `tally_admin_${randomBytes(24).toString('base64url')}`;
  fs.writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, file };
}
