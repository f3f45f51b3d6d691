import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { createTally } from '../src/app';
import { createClub } from '../src/coop/clubs/service';
import { coopDeps } from '../src/coop/line';
import { closeOrder } from '../src/coop/orders/close';
import { confirmDelivery } from '../src/coop/orders/deliveries';
import { createOrder } from '../src/coop/orders/service';
import { mailOrderSheets } from '../src/coop/orders/sheets';
import type { Actor } from '../src/core/actor';
import { SESSION_COOKIE } from '../src/core/auth/middleware';
import { systemClock } from '../src/core/clock';
import { queryRows } from '../src/core/database';
import { newId } from '../src/core/ids';
import { createLogger } from '../src/core/log';
import { isInterrupted, registerCleanup } from './support/cleanup';
import { openToEveryProducer, orderForEveryHousehold, seedClub, signIn } from './support/coop-club';
import { acquirePostgresServer, createThrowawayDatabase } from './support/postgres';

/**
 * A buyers club at the size of a big one, on PostgreSQL:
 *
 * 1. The household's order page: the catalogue of an open order with 5,000 products from 40
 *    producers, fetched through the API as a member (`GET /api/coop/orders/{id}/catalogue`), beside
 *    a small member page through the same stack (`GET /api/coop/clubs/{id}`) as the reference.
 *    Target: the catalogue answers in under 200 ms.
 * 2. Closing an order of 500 households × 200 products (100,000 lines, 20 products short and
 *    shared pro rata, every short household told): the close itself, beside the bare SQL
 *    aggregate of the same lines as the reference; then every producer's order sheet (PDF with the
 *    household breakdown, and CSV) rendered and queued by mail. Peak memory of the process is
 *    printed for each. Target: the close under 2 s.
 * 3. Processing it: every producer's delivery confirmed, the last confirmation pricing every line,
 *    writing 500 bills, posting them to the ledger and telling every household.
 *
 *   npx tsx bench/coop-orders.ts
 *   BENCH_DATABASE_URL=postgres://... npx tsx bench/coop-orders.ts
 */

const HOUSEHOLDS = 500;
const PRODUCERS = 40;
const PRODUCTS_PER_PRODUCER = 125;
const ORDERED_PER_PRODUCER = 5;
const SHORT_PRODUCTS = 20;
const PAGE_RUNS = 30;

const actorOf = (userId: string): Actor => ({
  userId,
  isAdmin: false,
  apiKeyId: null,
  scopes: null,
  ip: null,
  requestId: null,
});

/** The process's peak resident memory while `work` runs, sampled every 5 ms. */
async function withPeakMemory<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakMb: number }> {
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 5);
  const started = performance.now();
  try {
    const result = await work();
    return {
      result,
      ms: performance.now() - started,
      peakMb: Math.max(peak, process.memoryUsage().rss) / 2 ** 20,
    };
  } finally {
    clearInterval(timer);
  }
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<number> {
  const server = await acquirePostgresServer();
  if (!server.available) {
    console.log(`No PostgreSQL: ${server.reason}`);
    return 1;
  }
  console.log(`Tally coop orders benchmark on PostgreSQL: ${server.description}\n`);
  const throwaway = await createThrowawayDatabase(server.url);
  const filesDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tally-bench-files-'));
  registerCleanup(async () => fs.rmSync(filesDir, { recursive: true, force: true }));
  try {
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
      database: throwaway.database,
      adminApiKey: `bench-operator-${process.pid}`,
      log: createLogger('warn'),
      clock: systemClock,
    });
    const db = throwaway.database.db;
    const deps = coopDeps(tally.context);
    const ownerId = newId();
    await db.execute(sql`
      INSERT INTO core_users (id, email, email_verified_at, name, is_admin, created_at, updated_at)
      VALUES (${ownerId}, ${`owner-${ownerId}@tally.invalid`}, now(), 'Club Admin', false, now(), now())`);
    const owner = actorOf(ownerId);
    const club = await createClub(deps, owner, { name: 'The Benchmark Coop' });
    const seeded = await withPeakMemory(() =>
      seedClub(db, club.id, ownerId, {
        households: HOUSEHOLDS,
        producers: PRODUCERS,
        productsPerProducer: PRODUCTS_PER_PRODUCER,
        orderedPerProducer: ORDERED_PER_PRODUCER,
        shortProducts: SHORT_PRODUCTS,
      }),
    );
    const order = await createOrder(deps, owner, club.id, { pickup: 'Saturday' });
    await openToEveryProducer(db, club.id, order.id, ownerId);
    const { people, ordered } = seeded.result;
    await orderForEveryHousehold(db, order.id, seeded.result);
    await db.execute(sql`ANALYZE`);
    const [lines] = await queryRows<{ count: number }>(
      db,
      sql`SELECT count(*)::int AS count FROM coop_order_lines`,
    );
    console.log(
      `Seeded in ${(seeded.ms / 1000).toFixed(1)} s: ${HOUSEHOLDS} households, ${PRODUCERS} producers, ` +
        `${PRODUCERS * PRODUCTS_PER_PRODUCER} products, ${lines!.count} order lines (${ordered.length} products each).\n`,
    );

    // 1. The household's order page.
    const token = await signIn(db, people[0]!.id);
    const cookie = `${SESSION_COOKIE}=${token}`;
    const timeGet = async (url: string) => {
      const times: number[] = [];
      let bytes = 0;
      for (let run = 0; run < PAGE_RUNS + 3; run++) {
        const started = performance.now();
        const response = await tally.http.request(url, {
          headers: { cookie, 'x-requested-with': 'tally-web' },
        });
        const body = await response.arrayBuffer();
        if (response.status !== 200)
          throw new Error(`${url}: ${response.status} ${Buffer.from(body).toString()}`);
        if (run >= 3) times.push(performance.now() - started);
        bytes = body.byteLength;
      }
      return { p50: percentile(times, 50), p95: percentile(times, 95), bytes };
    };
    const reference = await timeGet(`/api/coop/clubs/${club.id}`);
    const catalogue = await timeGet(`/api/coop/orders/${order.id}/catalogue`);
    const mine = await timeGet(`/api/coop/orders/${order.id}/household-order`);
    console.log('The household’s order page (through the API, one member, sequential requests):');
    console.log(
      `  reference  GET /clubs/{id}                         p50 ${reference.p50.toFixed(1)} ms  p95 ${reference.p95.toFixed(1)} ms`,
    );
    console.log(
      `  catalogue  GET /orders/{id}/catalogue (${PRODUCERS * PRODUCTS_PER_PRODUCER} products, ${(catalogue.bytes / 2 ** 20).toFixed(1)} MB)  ` +
        `p50 ${catalogue.p50.toFixed(1)} ms  p95 ${catalogue.p95.toFixed(1)} ms  (${(catalogue.p50 / reference.p50).toFixed(1)}× the reference; target < 200 ms)`,
    );
    console.log(
      `  household  GET /orders/{id}/household-order (${ordered.length} lines)   p50 ${mine.p50.toFixed(1)} ms  p95 ${mine.p95.toFixed(1)} ms\n`,
    );

    // 2. Closing the order.
    const aggregate = await withPeakMemory(() =>
      queryRows(
        db,
        sql`SELECT product_id, sum(quantity) FROM coop_order_lines WHERE order_id = ${order.id} GROUP BY product_id`,
      ),
    );
    const closed = await withPeakMemory(() => closeOrder(deps, owner, order.id));
    const [short] = await queryRows<{ households: number; notified: number }>(
      db,
      sql`SELECT count(DISTINCT household_id)::int AS households,
            (SELECT count(*)::int FROM core_notifications WHERE type = 'coop.order_short') AS notified
          FROM coop_bill_changes WHERE order_id = ${order.id} AND kind = 'allotted'`,
    );
    const sheets = await withPeakMemory(() => db.transaction((tx) => mailOrderSheets(deps, tx, order.id)));
    const [mail] = await queryRows<{ bytes: number }>(
      db,
      sql`SELECT coalesce(sum(length(attachments::text)), 0)::int AS bytes FROM core_mail_messages WHERE template = 'coop_order_sheet'`,
    );
    console.log(
      `Closing an order of ${HOUSEHOLDS} households × ${ordered.length} products (${lines!.count} lines):`,
    );
    console.log(`  reference  the bare SQL aggregate of the lines            ${aggregate.ms.toFixed(0)} ms`);
    console.log(
      `  close      aggregate, ${SHORT_PRODUCTS} products shared pro rata, ${short!.households} short households told ` +
        `(${short!.notified} notifications)  ${closed.ms.toFixed(0)} ms  (${(closed.ms / aggregate.ms).toFixed(1)}× the reference; target < 2000 ms)  peak ${closed.peakMb.toFixed(0)} MB`,
    );
    console.log(
      `  sheets     ${sheets.result} producers’ PDF (with the household breakdown) and CSV, queued by mail ` +
        `(${(mail!.bytes / 2 ** 20).toFixed(1)} MB attached)  ${sheets.ms.toFixed(0)} ms  peak ${sheets.peakMb.toFixed(0)} MB`,
    );

    // 3. Every delivery confirmed: the last confirmation processes the order.
    const producerIds = (
      await queryRows<{ producer_id: string }>(
        db,
        sql`SELECT producer_id FROM coop_order_producers WHERE order_id = ${order.id}`,
      )
    ).map((row) => row.producer_id);
    for (const producerId of producerIds.slice(0, -1))
      await confirmDelivery(deps, owner, order.id, producerId);
    const processed = await withPeakMemory(() => confirmDelivery(deps, owner, order.id, producerIds.at(-1)!));
    const [billed] = await queryRows<{ bills: number; transfers: number }>(
      db,
      sql`SELECT (SELECT count(*)::int FROM coop_bills WHERE order_id = ${order.id}) AS bills,
                 (SELECT count(*)::int FROM ledger_transfers WHERE code = 'coop_bill') AS transfers`,
    );
    console.log(
      `  process    the last delivery confirmed: ${lines!.count} lines priced, ${billed!.bills} bills, ${billed!.transfers} ledger ` +
        `transfers, every household told  ${processed.ms.toFixed(0)} ms  peak ${processed.peakMb.toFixed(0)} MB  (status ${processed.result.status})`,
    );
    const healthy = catalogue.p50 < 200 && closed.ms < 2000;
    console.log(`\n${healthy ? 'Both targets met.' : 'A target was missed.'}`);
    await tally.context.jobs.stop?.();
    return healthy ? 0 : 1;
  } finally {
    await throwaway.drop();
    await server.release();
  }
}

main().then(
  (code) => process.exit(isInterrupted() ? 130 : code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
