import { serve } from '@hono/node-server';
import { resolveAdminApiKey } from './core/admin-key';
import type { Command, CommandContext } from './core/command';
import type { Config } from './core/config';
import { openConfiguredDatabase } from './core/database';
import { answerClientErrors } from './core/http';
import { resolveInstallationSecret } from './core/keyring';
import { createLogger } from './core/log';
import { ensureWebAppBuilt } from './core/web';
import { DEMO_COMMAND, isEmptyInstall } from './demo';

/** `tally start`: the API and the web app, with the chain and the job worker. */
export const startCommand: Command = {
  name: 'start',
  usage: 'tally start                         serve the API and web app (PORT, default 3000)',
  run: (_args, { config }: CommandContext) => start(config),
};

async function start(config: Config): Promise<number> {
  // Loaded here: the whole server (every line, the chain) is more than the other commands need.
  const [{ createTally }, { openChain }, { configuredProductLines }] = await Promise.all([
    import('./app'),
    import('./chain/runtime'),
    import('./lines'),
  ]);
  const log = createLogger(config.logLevel);
  const webDistDir = await ensureWebAppBuilt(log);
  const database = await openConfiguredDatabase(config);
  await database.migrate();
  const admin = resolveAdminApiKey(config.adminApiKey, config.home);
  const chain = await openChain(config.chain, log);
  const secretKey = resolveInstallationSecret(config.secretKey, config.home);
  const tally = await createTally({
    config,
    database,
    adminApiKey: admin.key,
    log,
    webDistDir,
    chain,
    secretKey,
    lines: configuredProductLines(config),
  }).catch(async (error: unknown) => {
    // The embedded chain is a process of ours: it stops with a start that failed.
    await chain.stop();
    throw error;
  });
  // The treasury's nonces are taken over before anything can be queued to send.
  await tally.sender?.prepare();
  if (config.jobsEnabled) tally.jobs.start(config.jobsPollMs);

  const server = serve({ fetch: tally.http.fetch, port: config.port, hostname: config.host });
  answerClientErrors(server);
  await new Promise<void>((resolve) => server.once('listening', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const shownHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host;
  log.info(
    {
      url: `http://${shownHost}:${port}`,
      database: database.dialect === 'pglite' ? `embedded (${config.dataDir})` : 'postgresql',
      adminKey: admin.file ? `in ${admin.file}` : 'from ADMIN_API_KEY',
      chain: `${chain.client.chain.name} (${chain.client.chainId})`,
    },
    'Tally is running',
  );
  console.log(`Tally is running at http://${shownHost}:${port} — API reference at /docs`);
  if (await isEmptyInstall(database.db)) {
    const hint =
      database.dialect === 'pglite'
        ? `stop Tally, run \`${DEMO_COMMAND}\`, and start it again`
        : `run \`${DEMO_COMMAND}\` (it may run beside this server)`;
    log.info({ demo: DEMO_COMMAND }, `this Tally is empty: for a demo data set, ${hint}`);
  }

  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  log.info('shutting down');
  await new Promise<void>((resolve) => server.close(() => resolve()));
  // The jobs first: a proof still being made finishes on the line's provers before they close.
  await tally.jobs.stop();
  await tally.stop();
  await chain.stop();
  await database.close();
  return 0;
}
