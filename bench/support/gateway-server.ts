import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { sql } from 'drizzle-orm';
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts';
import { createTally } from '../../src/app';
import { openChain } from '../../src/chain/runtime';
import { systemActor } from '../../src/core/actor';
import { registerConfirmedPerson } from '../../src/core/auth/accounts';
import { systemClock } from '../../src/core/clock';
import { loadConfig } from '../../src/core/config';
import { openDatabase } from '../../src/core/database';
import { answerClientErrors } from '../../src/core/http';
import { newId } from '../../src/core/ids';
import { newInstallationSecret } from '../../src/core/keyring';
import { createLogger } from '../../src/core/log';
import { newSessionKey } from '../../src/gateway/client';
import {
  gatewayDomain,
  issueBearerGrant,
  issueSessionKeyGrant,
  SESSION_GRANT_TYPES,
  sessionGrantMessage,
} from '../../src/gateway/grants/service';
import { ensureCreditsAccount, GATEWAY_ACCOUNTS, USDC_LEDGER } from '../../src/gateway/ledger';
import { gatewayDeps } from '../../src/gateway/line';
import { registerProvider } from '../../src/gateway/providers/service';
import { registerServer, setToolPrices } from '../../src/gateway/servers/service';
import { applyTransfers } from '../../src/ledger/engine';

/**
 * The Tally bench/gateway.ts calls through, in a process of its own (its CPU time is its own), on
 * PostgreSQL and its embedded chain: a provider whose server (BENCH_UPSTREAM_URL) has `add` priced,
 * and a person with credits, a bearer grant, a session key and a linked wallet, all sent over IPC.
 * `cpu` answers the process's CPU time; `stop` ends it.
 */
export interface GatewayBenchReady {
  port: number;
  chainId: number;
  bearer: string;
  grantId: string;
  sessionPrivateKey: string;
  walletKey: `0x${string}`;
}

const actorOf = (userId: string) => ({ ...systemActor, userId, isAdmin: false });

async function main(): Promise<void> {
  const url = process.env.BENCH_SERVER_DATABASE_URL;
  const upstreamUrl = process.env.BENCH_UPSTREAM_URL;
  if (!url || !upstreamUrl || !process.send) throw new Error('run by bench/gateway.ts');
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-gateway-'));
  const log = createLogger('warn');
  const database = await openDatabase({ url, poolSize: 40 });
  const chain = await openChain(loadConfig({ TALLY_HOME: home }).chain, log);
  const tally = await createTally({
    config: {
      maxBodyBytes: 1024 * 1024,
      maxUploadBytes: 1024 * 1024,
      filesDir: path.join(home, 'files'),
      publicUrl: 'http://127.0.0.1',
      smtpUrl: undefined,
      mailFrom: 'Tally <bench@tally.invalid>',
      mailboxOpen: false,
      allowPrivateNetwork: true,
    },
    database,
    adminApiKey: `bench-operator-${process.pid}-${Date.now()}`,
    // As `npm start` runs: request logging at info, on stdout (which the benchmark discards).
    log: createLogger('info'),
    chain,
    secretKey: newInstallationSecret(),
  });
  const deps = gatewayDeps(tally.context);

  const providerUser = (await database.db.transaction((tx) =>
    registerConfirmedPerson(tx, systemClock, {
      email: `provider-${Date.now()}@bench.invalid`,
      name: 'Bench provider',
    }),
  ))!;
  await registerProvider(deps, actorOf(providerUser), {
    name: 'Bench tools',
    payoutAddress: privateKeyToAccount(generatePrivateKey()).address,
  });
  const server = await registerServer(deps, actorOf(providerUser), {
    slug: 'bench',
    name: 'Bench tools',
    upstreamUrl,
  });
  await setToolPrices(deps, actorOf(providerUser), server.id, { add: 2_500n, echo: 0n });

  const consumer = (await database.db.transaction((tx) =>
    registerConfirmedPerson(tx, systemClock, {
      email: `consumer-${Date.now()}@bench.invalid`,
      name: 'Bench consumer',
    }),
  ))!;
  const walletKey = generatePrivateKey();
  const wallet = privateKeyToAccount(walletKey);
  await database.db.execute(
    sql`INSERT INTO core_wallets (address, user_id, linked_at) VALUES (${wallet.address.toLowerCase()}, ${consumer}, now())`,
  );
  await database.db.transaction(async (tx) => {
    const account = await ensureCreditsAccount(tx, systemClock, consumer);
    await applyTransfers(
      tx,
      [
        {
          id: newId(),
          debitAccountId: GATEWAY_ACCOUNTS.onchain,
          creditAccountId: account,
          amount: 10n ** 15n,
          ledger: USDC_LEDGER,
          code: 'deposit',
        },
      ],
      { clock: systemClock },
    );
  });
  const limits = {
    label: 'bench',
    cap: 10n ** 15n,
    dailyBudget: null,
    providerCaps: {},
    toolCaps: {},
    servers: null,
    expiresAt: new Date(Date.now() + 86_400_000),
  };
  limits.expiresAt.setUTCMilliseconds(0);
  const { token } = await issueBearerGrant(deps, actorOf(consumer), limits);
  const key = newSessionKey();
  const signature = await wallet.signTypedData({
    domain: gatewayDomain(chain.client.chainId),
    types: SESSION_GRANT_TYPES,
    primaryType: 'SessionGrant',
    message: sessionGrantMessage(key.publicKey, limits),
  });
  const grant = await issueSessionKeyGrant(deps, actorOf(consumer), {
    wallet: wallet.address,
    signature,
    sessionKey: key.publicKey,
    limits,
  });

  const http = serve({ fetch: tally.http.fetch, port: 0, hostname: '127.0.0.1' });
  answerClientErrors(http);
  await new Promise<void>((resolve) => http.once('listening', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  process.on('message', async (message: unknown) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuMicros: user + system });
    } else if (message === 'stop') {
      (http as unknown as { closeAllConnections(): void }).closeAllConnections();
      http.close();
      await chain.stop();
      await database.close();
      fs.rmSync(home, { recursive: true, force: true });
      process.exit(0);
    }
  });
  process.send({
    port,
    chainId: chain.client.chainId,
    bearer: token,
    grantId: grant.id,
    sessionPrivateKey: key.privateKey,
    walletKey,
  } satisfies GatewayBenchReady);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
