import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { createTally, type Tally } from '../../../src/app';
import { openChain } from '../../../src/chain/runtime';
import { loadConfig } from '../../../src/core/config';
import { openDatabase } from '../../../src/core/database';
import { createLogger } from '../../../src/core/log';
import { webDistDir } from '../../../src/core/web';
import { configuredProductLines } from '../../../src/lines';

/** What the journeys' Tallys are started with. */
export const E2E_ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';

export interface RunningTally {
  /** `http://127.0.0.1:<port>`: where the journey reaches it. */
  url: string;
  /** Its PUBLIC_URL, which the links in its mail point to: `url` unless it was given a public host. */
  publicUrl: string;
  tally: Tally;
  stop: () => Promise<void>;
}

/**
 * A real Tally on 127.0.0.1 and a free port, serving the built web app, with a TALLY_HOME of its own
 * (an embedded PGlite in a temporary folder) and its job worker running, as `npm start` would. With
 * `chain`, it runs the embedded development chain too (deployed afresh in that folder); without, it
 * runs with no chain, as a Tally whose chain is not connected. With `publicHost`, its PUBLIC_URL names
 * that host (and its port), as a public Tally's does; `settings` adds to its environment (DNS_SERVERS).
 */
export async function startTally({
  chain: withChain = false,
  publicHost,
  settings = {},
}: {
  chain?: boolean;
  publicHost?: string;
  settings?: Record<string, string>;
} = {}): Promise<RunningTally> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-e2e-'));
  // The port is known once the socket listens, and the public URL must name it: requests wait for the app.
  let handle: (request: Request, env: unknown) => Response | Promise<Response> = () =>
    new Response('starting', { status: 503 });
  // The second argument carries the socket, from which Tally reads the client's address.
  const server = serve({ fetch: (request, env) => handle(request, env), port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const publicUrl = publicHost ? `http://${publicHost}:${port}` : url;

  const config = loadConfig({
    ...settings,
    TALLY_HOME: home,
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'warn',
    JOBS_POLL_MS: '100',
  });
  const log = createLogger(config.logLevel);
  const database = await openDatabase({ dataDir: config.dataDir });
  await database.migrate();
  const chain = withChain ? await openChain(config.chain, log) : undefined;
  const tally = await createTally({
    config,
    database,
    adminApiKey: E2E_ADMIN_KEY,
    log,
    webDistDir,
    chain,
    // As `tally start` builds them: whitelabel domains are looked up on DNS_SERVERS.
    lines: configuredProductLines(config),
  });
  tally.jobs.start(config.jobsPollMs);
  handle = (request, env) => tally.http.fetch(request, env);

  return {
    url,
    publicUrl,
    tally,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tally.jobs.stop();
      await chain?.stop();
      await database.close();
      fs.rmSync(home, { recursive: true, force: true });
    },
  };
}

/** Makes a person an administrator, as an operator would. */
export async function makeAdministrator(tally: Tally, address: string): Promise<void> {
  await tally.database.db.execute(
    sql`UPDATE core_users SET is_admin = true WHERE email = ${address.toLowerCase()}`,
  );
}

/**
 * How a journey's browser reaches its Tally, started later in `beforeAll` (hence `server` is asked
 * for at each call): its URLs, its pages, and its API as whoever the page is signed in as.
 */
export function reachTally(server: () => RunningTally) {
  const url = (path: string) => `${server().url}${path}`;
  /** Opens a page of Tally in the tab, brought to the front as the person would (a tab behind runs its timers slowly). */
  const go = async (page: Page, path: string) => {
    await page.bringToFront();
    await page.goto(url(path));
  };
  /** A request of the API as whoever the browser is signed in as; the answer's JSON. */
  async function api(page: Page, method: string, path: string, data?: unknown) {
    const answer = await page.request.fetch(url(path), {
      method,
      data,
      headers: { 'X-Requested-With': 'fetch' },
    });
    expect(answer.status(), `${method} ${path}: ${await answer.text()}`).toBeLessThan(300);
    return answer.json();
  }
  return { url, go, api };
}
