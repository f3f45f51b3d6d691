import { createLogger } from '../../../src/core/log';
import { ensureWebAppBuilt } from '../../../src/core/web';

/** Vitest global setup: one build of the web app (when missing or stale) before any journey runs. */
export default async function buildWebApp(): Promise<void> {
  await ensureWebAppBuilt(createLogger('warn'));
}
