import type { OpenAPIHono } from '@hono/zod-openapi';
import { authorizationWatchers } from './chain/authorizations';
import { bindChain } from './chain/binding';
import { Follower } from './chain/follower/follower';
import { chainRoutes } from './chain/routes';
import type { ChainRuntime } from './chain/runtime';
import { Sender } from './chain/sender/sender';
import { accessRoutes, invitationRoutes } from './core/access/routes';
import { auditRoutes } from './core/audit/routes';
import { authenticate, requireScriptForCookies } from './core/auth/middleware';
import { authRoutes } from './core/auth/routes';
import { sweepAuthLeftovers } from './core/auth/sweep';
import { type Clock, systemClock } from './core/clock';
import type { Config } from './core/config';
import { checkDatabase, type Database } from './core/database';
import { fileRoutes } from './core/files/routes';
import { FileStore } from './core/files/store';
import { type Flow, FlowRunner } from './core/flows';
import { createHttpApp, type Env, mountApiReference } from './core/http';
import { idempotency, sweepIdempotencyKeys } from './core/idempotency';
import { JobRunner } from './core/jobs';
import { createKeyring, newInstallationSecret } from './core/keyring';
import type { Logger } from './core/log';
import { registerMailJobs } from './core/mail/jobs';
import { mailRoutes } from './core/mail/routes';
import { notificationRoutes } from './core/notifications/routes';
import { scopedDb } from './core/request-database';
import { assertKnownScopes } from './core/route-access';
import {
  admitToTenant,
  cachedDirectory,
  type TenantDirectory,
  tenantFromHost,
  tenantRoutes,
} from './core/tenants';
import { mountWebApp } from './core/web';
import { registerWebhookJobs } from './core/webhooks/jobs';
import { installRoutes } from './demo';
import { TransferBatcher } from './ledger/batcher';
import { registerLedgerJobs } from './ledger/jobs';
import { ledgerRoutes } from './ledger/routes';
import { productLines } from './lines';
import {
  buildRegistries,
  type ChainLineContext,
  endpointsOf,
  type LineContext,
  type ProductLine,
  settlementsOf,
} from './product-line';

/** Everything one Tally process runs: the core pieces, and each product line's routes and jobs. */
export interface Tally {
  http: OpenAPIHono<Env>;
  jobs: JobRunner;
  batcher: TransferBatcher;
  database: Database;
  clock: Clock;
  log: Logger;
  lines: readonly ProductLine[];
  /** What every line was given; the CLI's demo and tests call line services with it. */
  context: LineContext;
  /** The treasury's sender and the block/log follower, when a chain is connected. */
  sender?: Sender;
  follower?: Follower;
  /** Lets every line write what it keeps in memory; call before the database closes. */
  stop(): Promise<void>;
}

export interface TallyOptions {
  config: Pick<
    Config,
    'maxBodyBytes' | 'maxUploadBytes' | 'filesDir' | 'publicUrl' | 'smtpUrl' | 'mailFrom' | 'mailboxOpen'
  > &
    Partial<Pick<Config, 'allowPrivateNetwork'>>;
  database: Database;
  adminApiKey: string;
  log: Logger;
  clock?: Clock;
  /** The product lines to serve; all of Tally's by default. */
  lines?: readonly ProductLine[];
  /** The built web app to serve at / (web/dist); none in tests of the API alone. */
  webDistDir?: string;
  /** The chain to pay and watch on; none in tests that do not touch it. */
  chain?: ChainRuntime;
  /** The installation secret every key derives from (src/core/keyring.ts); a new one when not given. */
  secretKey?: string;
}

/** The core's services for the lines, and the registries built from them; no HTTP, no chain. */
export function createLineContext(
  options: Pick<TallyOptions, 'database' | 'log' | 'clock' | 'lines' | 'chain' | 'secretKey'> & {
    publicUrl: string;
    filesDir: string;
    allowPrivateNetwork?: boolean;
  },
): LineContext {
  const { database, log, clock = systemClock, lines = productLines, publicUrl, chain } = options;
  // Every service gets a handle that answers for the database of the work in progress: a tenant's own
  // when the request or job is a tenant's (src/core/request-database.ts), Tally's otherwise.
  const db = scopedDb(database.db);
  return {
    db,
    ownDb: database.db,
    parallelism: database.parallelism,
    clock,
    log,
    publicUrl,
    jobs: new JobRunner(db, clock, log),
    flows: new FlowRunner({ db, clock, log }, []),
    batcher: new TransferBatcher({ ...database, db }, clock),
    files: { db, clock, store: new FileStore(options.filesDir) },
    keys: createKeyring(options.secretKey ?? newInstallationSecret()),
    allowPrivateNetwork: options.allowPrivateNetwork ?? false,
    chain,
    ...buildRegistries(lines),
  };
}

/** The one line's tenants, asked at most once per host every few seconds; null when no line has any. */
function tenantDirectoryOf(lines: readonly ProductLine[], context: LineContext): TenantDirectory | null {
  const directories = lines.flatMap((line) => (line.tenants ? [line.tenants(context)] : []));
  if (directories.length > 1) throw new Error('only one product line may serve tenants on their own domains');
  return directories[0] ? cachedDirectory(directories[0], context.clock) : null;
}

/** Prepares every line (their ledgers, built-in rows) and assembles the server around them. */
export async function createTally(options: TallyOptions): Promise<Tally> {
  const { config, database, adminApiKey, log, webDistDir, chain, lines = productLines } = options;
  const context = createLineContext({
    ...options,
    lines,
    publicUrl: config.publicUrl,
    filesDir: config.filesDir,
    allowPrivateNetwork: config.allowPrivateNetwork,
  });
  const { db, clock, jobs, batcher, kinds, notificationTypes, scopes } = context;
  for (const line of lines) await line.prepare?.(context);

  const http = createHttpApp({
    log,
    maxBodyBytes: config.maxBodyBytes,
    maxUploadBytes: config.maxUploadBytes,
    checkHealth: () => checkDatabase(db),
  });
  const tenants = tenantDirectoryOf(lines, context);
  http.use('*', tenantFromHost(tenants, new URL(config.publicUrl).hostname.toLowerCase()));
  http.use('/api/*', requireScriptForCookies());
  http.use('/api/*', authenticate(db, clock, adminApiKey));
  http.use('/api/*', admitToTenant());
  http.use('/api/*', idempotency({ db, parallelism: database.parallelism }, clock));
  // A tenant's own database keeps its people's sessions and keys: both sweeps run there too.
  jobs.every('core.idempotency_sweep', 10 * 60_000, () => sweepIdempotencyKeys(db, clock), { tenants: true });
  jobs.every('core.auth_sweep', 10 * 60_000, () => sweepAuthLeftovers(db, clock), { tenants: true });

  http.route(
    '/api/auth',
    authRoutes({
      db,
      clock,
      scopes,
      publicUrl: config.publicUrl,
      // With a chain, contract wallets (ERC-1271) can sign in too.
      verifyWalletSignature: chain ? (input) => chain.client.publicClient.verifyMessage(input) : undefined,
    }),
  );
  const accessDeps = { db, clock, publicUrl: config.publicUrl, kinds };
  http.route('/api/orgs', accessRoutes(accessDeps));
  http.route('/api/invitations', invitationRoutes(accessDeps));
  http.route('/api/audit', auditRoutes({ db, clock }));
  http.route('/api/mail', mailRoutes({ db, smtpUrl: config.smtpUrl, mailboxOpen: config.mailboxOpen }));
  http.route('/api/notifications', notificationRoutes({ db, clock, types: notificationTypes }));
  http.route('/api/files', fileRoutes({ ...context.files, maxUploadBytes: config.maxUploadBytes }));
  registerMailJobs(jobs, { clock, log, smtpUrl: config.smtpUrl, mailFrom: config.mailFrom });
  registerWebhookJobs(jobs, {
    db,
    clock,
    log,
    keys: context.keys,
    allowPrivateNetwork: context.allowPrivateNetwork,
  });
  http.route('/api/ledger', ledgerRoutes({ db, clock, batcher }));
  registerLedgerJobs(jobs, { db, clock });

  jobs.every('core.flows', 1000, () => context.flows.runDue());
  for (const line of lines) {
    context.flows.add(line.flows?.(context) ?? []);
    const routes = line.routes?.(context);
    if (routes) http.route(`/api/${line.name}`, routes);
    line.jobs?.(context);
  }

  let sender: Sender | undefined;
  let follower: Follower | undefined;
  if (chain) {
    // Before anything reads or writes chain state: this database's chain, or a refusal naming both.
    await bindChain(db, clock, chain.client, chain.deployment);
    const chainContext: ChainLineContext = { ...context, chain };
    const settlements = settlementsOf(lines, chainContext);
    context.flows.add([...settlements.values()] as Flow<never>[]);
    const chainDeps = { db, clock, chain: chain.client, log };
    const { confirmations, maxFeePerGas, pollMs } = chain.settings;
    const treasurySender = new Sender(
      { ...chainDeps, account: chain.treasury, settlements, flows: context.flows },
      { confirmations, maxFeePerGas, pollMs },
    );
    const authorizations = lines.flatMap((line) => line.authorizations?.(chainContext) ?? []);
    const watchers = [
      ...lines.flatMap((line) => line.watchers?.(chainContext) ?? []),
      ...(authorizations.length > 0 ? authorizationWatchers(chain, authorizations) : []),
    ];
    const { logRange, headMargin } = chain.settings;
    const blockFollower = new Follower(chainDeps, watchers, {
      confirmations,
      maxBlockRange: logRange,
      headMargin,
      startBlock: chain.startBlock,
    });
    jobs.every('chain.sender', pollMs, () => treasurySender.processDue());
    jobs.every('chain.follower', pollMs, () => blockFollower.poll());
    sender = treasurySender;
    follower = blockFollower;
  }
  http.route('/api/chain', chainRoutes({ db, clock, chain }));
  for (const { path, app } of endpointsOf(lines, context)) http.route(path, app);
  http.route('/api/install', installRoutes(db));
  http.route('/api', tenantRoutes(tenants));

  assertKnownScopes(http, scopes);
  mountApiReference(http, context.errorCodes);
  if (webDistDir) mountWebApp(http, { distDir: webDistDir });
  const stop = async () => {
    for (const line of lines) await line.stop?.(context);
  };
  return { http, jobs, batcher, database, clock, log, lines, context, sender, follower, stop };
}
