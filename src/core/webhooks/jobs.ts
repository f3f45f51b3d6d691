import { and, eq, inArray, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../database';
import { newId } from '../ids';
import type { JobRunner } from '../jobs';
import type { Logger } from '../log';
import { retryDelayMs } from './retries';
import { webhookDeliveries, webhookEndpoints, webhookEvents } from './schema';
import { postJson } from './send';
import { WEBHOOK_SECRET_PURPOSE, type WebhookDeps, type WebhookEndpoint } from './service';
import {
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  webhookSignatureHeader,
} from './signature';

/**
 * The delivery sweep. Deliveries are claimed with a lease (`FOR UPDATE SKIP LOCKED`, then
 * `locked_until`), and the claim counts the attempt, in a transaction of its own that commits before
 * anything is sent: no transaction stays open while an endpoint answers (PGlite runs one at a time),
 * and two workers never send the same attempt. A worker that dies mid-send leaves a lease that runs
 * out, after which the next attempt goes out: delivery is at least once, and receivers tell repeats
 * apart by `Tally-Webhook-Id`. The answer is recorded in a second transaction, only if the delivery
 * is still that attempt's.
 */

export interface WebhookDeliveryDeps extends WebhookDeps {
  log: Logger;
  /** How long an endpoint has to answer; 10 s unless a test needs less. */
  timeoutMs?: number;
  /** The jitter's source, in [0, 1). */
  random?: () => number;
}

const WEBHOOK_TIMEOUT_MS = 10_000;
/** Well past the timeout: a lease outlives the attempt it guards. */
const LEASE_MS = 60_000;
/** Deliveries sent side by side in one sweep's batch. */
const BATCH_SIZE = 16;
/** A sweep starts no new batch after this long, so one slow endpoint does not hold the job worker up. */
const SWEEP_BUDGET_MS = 2_000;
/** Events leave the log this long after they were created, once no delivery of theirs is pending. */
const WEBHOOK_LOG_DAYS = 30;

interface ClaimedDelivery {
  id: string;
  attempts: number;
  finalAttempt: number;
  endpoint: WebhookEndpoint;
  event: { id: string; type: string; data: unknown; createdAt: Date };
}

/** Runs the delivery sweep every second and clears old events every hour. */
export function registerWebhookJobs(jobs: JobRunner, deps: WebhookDeliveryDeps): void {
  jobs.every('webhooks.deliver', 1000, () => deliverDueWebhooks(deps));
  jobs.every('webhooks.prune', 3600_000, () => pruneWebhookEvents(deps));
}

/** Attempts every due delivery, a batch at a time, until none is due or the sweep's time is spent. */
export async function deliverDueWebhooks(deps: WebhookDeliveryDeps): Promise<number> {
  const started = performance.now();
  let attempted = 0;
  for (;;) {
    const claimed = await claimDeliveries(deps, BATCH_SIZE);
    await Promise.all(claimed.map((delivery) => attemptDelivery(deps, delivery)));
    attempted += claimed.length;
    if (claimed.length < BATCH_SIZE || performance.now() - started > SWEEP_BUDGET_MS) return attempted;
  }
}

async function claimDeliveries(deps: WebhookDeliveryDeps, limit: number): Promise<ClaimedDelivery[]> {
  const now = deps.clock.now();
  const claimed = await deps.db.transaction((tx) =>
    queryRows<{ id: string; attempts: number; final_attempt: number }>(
      tx,
      sql`UPDATE core_webhook_deliveries
          SET attempts = attempts + 1, locked_until = ${new Date(now.getTime() + LEASE_MS)}, updated_at = ${now}
          WHERE id IN (
            SELECT d.id FROM core_webhook_deliveries d
            JOIN core_webhook_endpoints e ON e.id = d.endpoint_id
            WHERE d.state = 'pending' AND d.next_attempt_at <= ${now}
              AND (d.locked_until IS NULL OR d.locked_until <= ${now}) AND e.enabled
            ORDER BY d.next_attempt_at, d.id
            LIMIT ${limit}
            FOR UPDATE OF d SKIP LOCKED)
          RETURNING id, attempts, final_attempt`,
    ),
  );
  if (claimed.length === 0) return [];
  const rows = await deps.db
    .select({
      id: webhookDeliveries.id,
      endpoint: webhookEndpoints,
      event: {
        id: webhookEvents.id,
        type: webhookEvents.type,
        data: webhookEvents.data,
        createdAt: webhookEvents.createdAt,
      },
    })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .innerJoin(webhookEvents, eq(webhookEvents.id, webhookDeliveries.eventId))
    .where(
      inArray(
        webhookDeliveries.id,
        claimed.map((c) => c.id),
      ),
    );
  const byId = new Map(rows.map((row) => [row.id, row]));
  // A delivery removed with its endpoint since the claim has nowhere to go.
  return claimed.flatMap((c) => {
    const row = byId.get(c.id);
    return row ? [{ ...row, attempts: c.attempts, finalAttempt: c.final_attempt }] : [];
  });
}

/** The body every endpoint receives: the event, as it was queued. */
function webhookBody(event: ClaimedDelivery['event']): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    created_at: event.createdAt.toISOString(),
    data: event.data,
  });
}

/** The secrets that sign now: the endpoint's, and the one it replaced while that still signs. */
function signingSecrets(deps: WebhookDeps, endpoint: WebhookEndpoint, now: Date): string[] {
  const secrets = [deps.keys.open(WEBHOOK_SECRET_PURPOSE, endpoint.secretSealed)];
  const previous = endpoint.previousSecretSealed;
  if (previous && endpoint.previousSecretExpiresAt && endpoint.previousSecretExpiresAt > now)
    secrets.push(deps.keys.open(WEBHOOK_SECRET_PURPOSE, previous));
  return secrets;
}

async function attemptDelivery(deps: WebhookDeliveryDeps, delivery: ClaimedDelivery): Promise<void> {
  const startedAt = deps.clock.now();
  const body = webhookBody(delivery.event);
  const timestamp = Math.floor(startedAt.getTime() / 1000);
  const outcome = await postJson({
    url: delivery.endpoint.url,
    body,
    headers: {
      [WEBHOOK_ID_HEADER]: delivery.event.id,
      [WEBHOOK_TIMESTAMP_HEADER]: String(timestamp),
      [WEBHOOK_SIGNATURE_HEADER]: webhookSignatureHeader(
        signingSecrets(deps, delivery.endpoint, startedAt),
        timestamp,
        body,
      ),
    },
    timeoutMs: deps.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    allowPrivate: deps.allowPrivateNetwork,
  });
  const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
  const error = delivered ? null : (outcome.error ?? `the endpoint answered ${outcome.statusCode}`);
  const final = !delivered && delivery.attempts >= delivery.finalAttempt;
  const context = {
    deliveryId: delivery.id,
    endpointId: delivery.endpoint.id,
    eventType: delivery.event.type,
    attempt: delivery.attempts,
    status: outcome.statusCode,
    ms: outcome.durationMs,
  };
  await deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    await recordAttempt(tx, delivery, startedAt, outcome, error);
    const current = and(
      eq(webhookDeliveries.id, delivery.id),
      eq(webhookDeliveries.attempts, delivery.attempts),
    );
    if (delivered) {
      // Delivered counts even when the endpoint was disabled meanwhile: the receiver has it.
      await tx
        .update(webhookDeliveries)
        .set({
          state: 'delivered',
          deliveredAt: now,
          nextAttemptAt: null,
          lockedUntil: null,
          lastStatus: outcome.statusCode,
          lastError: null,
          updatedAt: now,
        })
        .where(current);
      return;
    }
    await tx
      .update(webhookDeliveries)
      .set({
        state: final ? 'failed' : 'pending',
        nextAttemptAt: final ? null : new Date(now.getTime() + retryDelayMs(delivery.attempts, deps.random)),
        lockedUntil: null,
        lastStatus: outcome.statusCode,
        lastError: error,
        updatedAt: now,
      })
      .where(and(current, eq(webhookDeliveries.state, 'pending')));
  });
  if (delivered) deps.log.info(context, 'webhook delivered');
  else
    deps.log.warn({ ...context, final, error }, final ? 'webhook delivery failed' : 'webhook attempt failed');
}

/** The attempt's line in the log, kept only while its delivery exists (its endpoint may be gone). */
async function recordAttempt(
  tx: Db,
  delivery: ClaimedDelivery,
  startedAt: Date,
  outcome: { statusCode: number | null; excerpt: string | null; durationMs: number },
  error: string | null,
): Promise<void> {
  await tx.execute(sql`
    INSERT INTO core_webhook_attempts (id, delivery_id, number, started_at, duration_ms, status_code, response_excerpt, error)
    SELECT ${newId()}, id, ${delivery.attempts}, ${startedAt}, ${outcome.durationMs}, ${outcome.statusCode},
      ${outcome.excerpt}, ${error?.slice(0, 2000) ?? null}
    FROM core_webhook_deliveries WHERE id = ${delivery.id}`);
}

/** Removes events older than the log keeps, with their deliveries and attempts; returns how many. */
export async function pruneWebhookEvents(deps: Pick<WebhookDeps, 'db' | 'clock'>): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - WEBHOOK_LOG_DAYS * 86_400_000);
  const removed = await queryRows<{ id: string }>(
    deps.db,
    sql`DELETE FROM core_webhook_events WHERE id IN (
          SELECT ev.id FROM core_webhook_events ev
          WHERE ev.created_at < ${cutoff}
            AND NOT EXISTS (
              SELECT 1 FROM core_webhook_deliveries d WHERE d.event_id = ev.id AND d.state = 'pending')
          LIMIT 1000)
        RETURNING id`,
  );
  return removed.length;
}
