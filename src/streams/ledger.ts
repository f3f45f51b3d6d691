import { eq, sql } from 'drizzle-orm';
import type { Clock } from '../core/clock';
import { type Db, queryRows } from '../core/database';
import { AppError } from '../core/errors';
import { applyTransfers } from '../ledger/engine';
import { ledgerRefusal } from '../ledger/errors';
import { idFromKey } from '../ledger/holds';
import { createAccounts, createLedger } from '../ledger/service';
import type { StreamsDeps } from './deps';
import { type PlanToken, planTokens, subscriptions } from './schema';

/**
 * What streamed, mirrored in the ledger: one ledger per super token (`DAIx`, `USDCx`, 18 decimals),
 * a wallet's account debited and its producer's credited with each subscription's flow rate times
 * the seconds it ran, one transfer per subscription and UTC day (and the last, shorter one when it
 * closed). The seconds are the chain's (the flow's block times), so the producer's earnings in the
 * ledger and on chain agree; each transfer's id is derived from the subscription and the moment it
 * ends, so mirroring the same day twice posts nothing twice.
 */

const STREAMS_NAMESPACE = '5d7c2a9e-3f41-4b8a-a6e2-9c0d1b7f4e53';
const DAY_MS = 86_400_000;

export const streamsAccountIds = {
  wallet: (token: PlanToken, address: string) => idFromKey(STREAMS_NAMESPACE, 'wallet', token, address),
  producer: (token: PlanToken, producerId: string) =>
    idFromKey(STREAMS_NAMESPACE, 'producer', token, producerId),
};

export async function ensureStreamsLedgers(db: Db, clock: Clock): Promise<void> {
  for (const token of planTokens)
    await createLedger(
      { db, clock },
      { code: token, scale: 18, name: `${token} (a Superfluid super token)` },
    );
}

/** The UTC day boundaries between two moments: where a stretch of streaming is cut into days. */
function days(from: Date, to: Date): { from: Date; to: Date }[] {
  const pieces: { from: Date; to: Date }[] = [];
  let start = from;
  while (start < to) {
    const nextDay = new Date(Math.floor(start.getTime() / DAY_MS) * DAY_MS + DAY_MS);
    const end = nextDay < to ? nextDay : to;
    pieces.push({ from: start, to: end });
    start = end;
  }
  return pieces;
}

interface Due {
  id: string;
  plan_id: string;
  producer_id: string;
  token: PlanToken;
  subscriber_address: string;
  flow_rate: string;
  from: Date;
  to: Date;
}

/**
 * Mirrors what streamed up to the start of today (UTC), and up to its close for a closed
 * subscription, a batch at a time; returns how many subscriptions moved. Run by a sweep.
 */
export async function mirrorStreams(deps: StreamsDeps, limit = 200): Promise<number> {
  const today = new Date(Math.floor(deps.clock.now().getTime() / DAY_MS) * DAY_MS);
  return deps.db.transaction(async (tx) => {
    // SKIP LOCKED: two sweeps at once share the work instead of waiting for each other.
    const due = await queryRows<Due>(
      tx,
      sql`SELECT s.id, s.plan_id, p.producer_id, s.token, s.subscriber_address, s.flow_rate::text AS flow_rate,
            coalesce(s.mirrored_until, s.started_at) AS "from",
            CASE WHEN s.closed_at IS NOT NULL AND s.state IN ('closed', 'liquidated') THEN s.closed_at
                 ELSE ${today.toISOString()}::timestamptz END AS "to"
          FROM streams_subscriptions s JOIN streams_plans p ON p.id = s.plan_id
          WHERE s.flow_rate IS NOT NULL
            AND coalesce(s.mirrored_until, s.started_at) < CASE
              WHEN s.closed_at IS NOT NULL AND s.state IN ('closed', 'liquidated') THEN s.closed_at
              ELSE ${today.toISOString()}::timestamptz END
          ORDER BY s.id LIMIT ${limit} FOR UPDATE OF s SKIP LOCKED`,
    );
    if (due.length === 0) return 0;
    const clock = deps.clock;
    const accounts = new Map<string, { id: string; ledger: string; code: string; owner: string }>();
    for (const row of due) {
      const wallet = streamsAccountIds.wallet(row.token, row.subscriber_address);
      const producer = streamsAccountIds.producer(row.token, row.producer_id);
      accounts.set(wallet, {
        id: wallet,
        ledger: row.token,
        code: 'streams_wallet',
        owner: `wallet:${row.subscriber_address}`,
      });
      accounts.set(producer, {
        id: producer,
        ledger: row.token,
        code: 'streams_producer',
        owner: `streams_producer:${row.producer_id}`,
      });
    }
    const made = await createAccounts({ db: tx, clock }, [...accounts.values()]);
    const failed = made.find((o) => o.result !== 'ok' && o.result !== 'exists');
    if (failed)
      throw new AppError('internal', `streams account ${failed.id} could not be made: ${failed.result}`);
    const transfers = due.flatMap((row) =>
      days(new Date(row.from), new Date(row.to)).flatMap((piece) => {
        const seconds = BigInt(Math.floor((piece.to.getTime() - piece.from.getTime()) / 1000));
        const amount = BigInt(row.flow_rate) * seconds;
        if (amount <= 0n) return [];
        return [
          {
            id: idFromKey(STREAMS_NAMESPACE, 'streamed', row.id, piece.to.toISOString()),
            debitAccountId: streamsAccountIds.wallet(row.token, row.subscriber_address),
            creditAccountId: streamsAccountIds.producer(row.token, row.producer_id),
            amount,
            ledger: row.token,
            code: 'streams_streamed',
            metadata: {
              subscription_id: row.id,
              plan_id: row.plan_id,
              from: piece.from.toISOString(),
              to: piece.to.toISOString(),
              flow_rate: row.flow_rate,
            },
          },
        ];
      }),
    );
    if (transfers.length > 0) {
      const results = await applyTransfers(tx, transfers, { clock });
      const refused = results.filter((r) => r.result !== 'ok' && r.result !== 'exists');
      if (refused.length > 0) throw ledgerRefusal(refused);
    }
    for (const row of due)
      await tx
        .update(subscriptions)
        .set({ mirroredUntil: new Date(row.to) })
        .where(eq(subscriptions.id, row.id));
    return due.length;
  });
}
