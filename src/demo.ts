import { createRoute, z } from '@hono/zod-openapi';
import { sql } from 'drizzle-orm';
import { systemActor } from './core/actor';
import type { Command } from './core/command';
import { type Db, queryRows } from './core/database';
import { createRouter, jsonResponse } from './core/http';
import { resolveInstallationSecret } from './core/keyring';
import { createLogger } from './core/log';
import type { LineContext, ProductLine } from './product-line';

/**
 * `tally demo`: a realistic data set made through each line's own services, so every page has
 * something to show. Each line finds what an earlier run made, so a second run adds nothing.
 */
export const demoCommand: Command = {
  name: 'demo',
  usage: 'tally demo                          fill this Tally with demo data (safe to run again)',
  run: async (_args, { config, withDatabase }) => {
    // Loaded here: the lines are more than the other commands need.
    const [{ createLineContext }, { productLines }] = await Promise.all([import('./app'), import('./lines')]);
    return withDatabase(async (database) => {
      const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
      const context = createLineContext({
        database,
        log,
        lines: productLines,
        publicUrl: config.publicUrl,
        filesDir: config.filesDir,
        allowPrivateNetwork: config.allowPrivateNetwork,
        secretKey: resolveInstallationSecret(config.secretKey, config.home),
      });
      for (const line of productLines) await line.prepare?.(context);
      // The demo queues work for the server to do (an open order's deadline): the jobs must be known.
      for (const line of productLines) line.jobs?.(context);
      for (const { line, made } of await makeDemo(context, productLines)) {
        console.log(`${line}:`);
        for (const sentence of made) console.log(`  ${sentence}`);
      }
      return 0;
    });
  },
};

/** Each line's share of the demo, in the order of the list; lines are prepared already. */
export async function makeDemo(
  context: LineContext,
  lines: readonly ProductLine[],
): Promise<{ line: string; made: string[] }[]> {
  const made: { line: string; made: string[] }[] = [];
  for (const line of lines) {
    if (line.demo) made.push({ line: line.label, made: await line.demo(context, systemActor) });
  }
  return made;
}

/** Nobody has signed up and nothing has moved: what a fresh install looks like. */
export async function isEmptyInstall(db: Db): Promise<boolean> {
  const [row] = await queryRows<{ empty: boolean }>(
    db,
    sql`SELECT NOT EXISTS (SELECT 1 FROM core_users) AND NOT EXISTS (SELECT 1 FROM ledger_transfers) AS empty`,
  );
  return row?.empty ?? true;
}

export const DEMO_COMMAND = 'npm run tally -- demo';

/** `GET /api/install`: whether this Tally is new, so the home page can offer the demo data. */
export function installRoutes(db: Db) {
  const router = createRouter();
  router.openapi(
    createRoute({
      method: 'get',
      path: '/',
      access: { caller: 'anyone' },
      tags: ['Install'],
      summary: 'Whether this Tally is still empty, and the command that fills it with demo data',
      description: 'Anyone may call it; it says nothing but whether people or transfers exist.',
      responses: {
        200: jsonResponse(
          z.object({ empty: z.boolean(), demo_command: z.string() }).openapi('InstallState'),
          'The state of this install',
        ),
      },
    }),
    async (c) => c.json({ empty: await isEmptyInstall(db), demo_command: DEMO_COMMAND }, 200),
  );
  return router;
}
