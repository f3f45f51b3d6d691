import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { readOrCreateSecretFile } from './secret-file';

/**
 * The operator key for admin APIs: ADMIN_API_KEY when set; otherwise one generated on first start
 * and kept in TALLY_HOME/admin-api-key.
 */
export function resolveAdminApiKey(
  configured: string | undefined,
  home: string,
): { key: string; file?: string } {
  if (configured) return { key: configured };
  const file = path.join(home, 'admin-api-key');
  return {
    key: readOrCreateSecretFile(file, () => `tally_admin_${randomBytes(24).toString('base64url')}`),
    file,
  };
}
