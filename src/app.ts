import type { OpenAPIHono } from '@hono/zod-openapi';
import { Follower, type Watcher } from './chain/follower/follower';
import { chainRoutes } from './chain/routes';
import type { ChainRuntime } from './chain/runtime';
import { Sender } from './chain/sender/sender';
import { accessRoutes, invitationRoutes } from './core/access/routes';
import { auditRoutes } from './core/audit/routes';
import { authenticate } from './core/auth/middleware';
import { authRoutes } from './core/auth/routes';
import { type Clock, systemClock } from './core/clock';
import type { Config } from './core/config';
import { checkDatabase, type Database } from './core/database';
import { createHttpApp, type Env, mountApiReference } from './core/http';
import { JobRunner } from './core/jobs';
import type { Logger } from './core/log';
import { registerMailJobs } from './core/mail/jobs';
import { mailRoutes } from './core/mail/routes';
import { notificationRoutes } from './core/notifications/routes';
import { mountWebApp } from './core/web';
import { registerCreditsJobs } from './credits/engine/jobs';
import { creditsRoutes } from './credits/routes';
import { TransferBatcher } from './ledger/batcher';
import { registerLedgerJobs } from './ledger/jobs';
import { ledgerRoutes } from './ledger/routes';

/** Everything one Tally process runs: the core pieces, and each product line's routes and jobs. */
export interface Tally {
  http: OpenAPIHono<Env>;
  jobs: JobRunner;
  batcher: TransferBatcher;
  database: Database;
  clock: Clock;
  log: Logger;
  /** The treasury's sender and the block/log follower, when a chain is connected. */
  sender?: Sender;
  follower?: Follower;
}

export interface TallyOptions {
  config: Pick<Config, 'maxBodyBytes' | 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'mailboxOpen'>;
  database: Database;
  adminApiKey: string;
  log: Logger;
  clock?: Clock;
  /** The built web app to serve at / (web/dist); none in tests of the API alone. */
  webDistDir?: string;
  /** The chain to pay and watch on; none in tests that do not touch it. */
  chain?: ChainRuntime;
}

export function createTally({
  config,
  database,
  adminApiKey,
  log,
  clock = systemClock,
  webDistDir,
  chain,
}: TallyOptions): Tally {
  const { db } = database;
  const jobs = new JobRunner(db, clock, log);
  const batcher = new TransferBatcher(database, clock);
  const http = createHttpApp({
    log,
    maxBodyBytes: config.maxBodyBytes,
    checkHealth: () => checkDatabase(db),
  });
  http.use('/api/*', authenticate(db, clock, adminApiKey));

  http.route(
    '/api/auth',
    authRoutes({
      db,
      clock,
      publicUrl: config.publicUrl,
      // With a chain, contract wallets (ERC-1271) can sign in too.
      verifyWalletSignature: chain ? (input) => chain.client.publicClient.verifyMessage(input) : undefined,
    }),
  );
  const accessDeps = { db, clock, publicUrl: config.publicUrl };
  http.route('/api/orgs', accessRoutes(accessDeps));
  http.route('/api/invitations', invitationRoutes(accessDeps));
  http.route('/api/audit', auditRoutes({ db, clock }));
  http.route('/api/mail', mailRoutes({ db, smtpUrl: config.smtpUrl, mailboxOpen: config.mailboxOpen }));
  http.route('/api/notifications', notificationRoutes({ db, clock }));
  registerMailJobs(jobs, { clock, log, smtpUrl: config.smtpUrl, mailFrom: config.mailFrom });
  http.route('/api/ledger', ledgerRoutes({ db, clock, batcher, adminApiKey }));
  registerLedgerJobs(jobs, { db, clock });
  http.route('/api/credits', creditsRoutes({ db, clock, publicUrl: config.publicUrl }));
  registerCreditsJobs(jobs, { db, clock, log });

  let sender: Sender | undefined;
  let follower: Follower | undefined;
  if (chain) {
    const chainDeps = { db, clock, chain: chain.client, log };
    const { confirmations, maxFeePerGas, pollMs } = chain.settings;
    const treasurySender = new Sender(
      { ...chainDeps, account: chain.treasury },
      { confirmations, maxFeePerGas, pollMs },
    );
    // Product lines add their watchers (deposits, stream events) here as they are built.
    const watchers: Watcher[] = [];
    const blockFollower = new Follower(chainDeps, watchers, { confirmations });
    jobs.every('chain.sender', pollMs, () => treasurySender.processDue());
    jobs.every('chain.follower', pollMs, () => blockFollower.poll());
    sender = treasurySender;
    follower = blockFollower;
  }
  http.route('/api/chain', chainRoutes({ db, clock, chain }));

  mountApiReference(http);
  if (webDistDir) mountWebApp(http, { distDir: webDistDir });
  return { http, jobs, batcher, database, clock, log, sender, follower };
}
