import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { createTally } from '../../src/app';
import { createAdministrator } from '../../src/core/auth/accounts';
import { createApiKey } from '../../src/core/auth/api-keys';
import { systemClock } from '../../src/core/clock';
import { openDatabase } from '../../src/core/database';
import { answerClientErrors } from '../../src/core/http';
import { createLogger } from '../../src/core/log';
import { grantCredits } from '../../src/credits/engine/grants';
import { countStatements, statementsSent } from './statements';

/**
 * The Tally a throughput benchmark talks to, in a process of its own so that its CPU time is its
 * own: started by bench/http.ts with BENCH_SERVER_DATABASE_URL, it answers on 127.0.0.1 with the
 * port, the operator key and a person's API key (credits:spend, credits:read) over IPC, then answers
 * `cpu` with its CPU time and the statements it sent so far and `stop` by shutting down.
 */

/** What the Tally process has spent so far: its CPU time and the statements it sent. */
export interface ServerUsage {
  cpuMicros: number;
  statements: number;
}

export interface ServerReady {
  port: number;
  operatorKey: string;
  personKey: string;
}

async function main(): Promise<void> {
  const url = process.env.BENCH_SERVER_DATABASE_URL;
  if (!url || !process.send) throw new Error('run by bench/http.ts');
  countStatements();
  const database = await openDatabase({ url, poolSize: 40 });
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-files-'));
  const operatorKey = `bench-operator-${process.pid}-${Date.now()}`;
  const tally = await createTally({
    config: {
      maxBodyBytes: 1024 * 1024,
      maxUploadBytes: 1024 * 1024,
      filesDir,
      publicUrl: 'http://127.0.0.1',
      smtpUrl: undefined,
      mailFrom: 'Tally <bench@tally.invalid>',
      mailboxOpen: false,
    },
    database,
    adminApiKey: operatorKey,
    // As `npm start` runs: request logging at info, on stdout (which bench/http.ts discards).
    log: createLogger('info'),
  });

  // A person with credits and a key to spend them. An administrator, so every action is theirs to
  // spend on (a customer's products would say which): the request path is otherwise the same.
  const { userId } = await createAdministrator(database.db, systemClock, {
    email: `bench-${Date.now()}@tally.invalid`,
    name: 'Benchmark',
    password: `Bench-${process.pid}-password!`,
  });
  const { secret: personKey } = await createApiKey(
    { db: database.db, clock: systemClock, scopes: tally.context.scopes },
    { userId, isAdmin: true, apiKeyId: null, scopes: null, ip: null, requestId: null },
    { name: 'benchmark', scopes: ['credits:spend', 'credits:read'] },
  );
  await database.db.transaction((tx) =>
    grantCredits(tx, systemClock, { userId, source: 'adjustment', amount: 10n ** 15n, reason: 'benchmark' }),
  );
  await database.db.execute(sql`SELECT 1`);

  const server = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', (message: unknown) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system, statements: statementsSent() } satisfies ServerUsage);
    } else if (message === 'stop') {
      server.close(async () => {
        await database.close();
        fs.rmSync(filesDir, { recursive: true, force: true });
        process.exit(0);
      });
    }
  });
  process.send({ port, operatorKey, personKey } satisfies ServerReady);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
