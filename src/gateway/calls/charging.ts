import { and, eq, lte, sql } from 'drizzle-orm';
import { type Db, queryRows } from '../../core/database';
import { applyBalanceOps } from '../../ledger/engine';
import { type Hold, idFromKey, partId } from '../../ledger/holds';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { commitToGrant, type GrantCharge, returnToGrant } from '../grants/service';
import {
  availableIn,
  creditsAccountOf,
  endHold,
  ensureCreditsAccount,
  GATEWAY_NAMESPACE,
  servedSink,
  USDC_LEDGER,
} from '../ledger';
import { calls } from '../schema';

export type Call = typeof calls.$inferSelect;

/** A call's price is held this long at most: past it, a call Tally lost track of (a crash) is refunded. */
export const CALL_HOLD_SECONDS = 15 * 60;

export interface CallStart {
  userId: string;
  grantId: string | null;
  serverId: string;
  slug: string;
  providerId: string;
  tool: string;
  price: bigint;
  requestHash: string;
  /** The request's idempotency key (the client's, or the MCP session and JSON-RPC id): one charge per key. */
  key: string;
}

/** The id of the call a person's request key names: the same key always names the same call. */
export const callIdOf = (userId: string, key: string): string =>
  idFromKey(GATEWAY_NAMESPACE, 'call', userId, key);
const holdIdOf = (callId: string) => partId(callId, 1);

/** What a person's credits can pay for now. */
export const availableBalance = (db: Db, userId: string): Promise<bigint> =>
  availableIn(db, creditsAccountOf(userId));

/**
 * Starts a call: in one transaction, its grant's limits are committed, its price held on the
 * person's credits (a ledger hold into the served sink) and the call recorded `processing_request`.
 * A key seen before answers its call as it stands (`replay`), charging nothing. Too few credits is
 * `insufficient_credits`, with what is available.
 */
export async function beginCall(
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  start: CallStart,
): Promise<{ call: Call; replay: boolean; hold?: Hold }> {
  const id = callIdOf(start.userId, start.key);
  return deps.db.transaction(async (tx) => {
    const [existing] = await tx.select().from(calls).where(eq(calls.id, id));
    if (existing) return { call: existing, replay: true };
    const at = deps.clock.now();
    let hold: Hold | undefined;
    if (start.price > 0n) {
      const credits = await ensureCreditsAccount(tx, deps.clock, start.userId);
      if (start.grantId) await commitToGrant(tx, at, grantCharge(start, at));
      const [held] = await applyBalanceOps(
        tx,
        [
          {
            op: 'hold',
            id: holdIdOf(id),
            ledger: USDC_LEDGER,
            code: 'gateway_call',
            from: [{ accountId: credits }],
            to: servedSink.shardFor(start.userId),
            amount: start.price,
            timeoutSeconds: CALL_HOLD_SECONDS,
            metadata: { call_id: id, server: start.slug, tool: start.tool },
          },
        ],
        { clock: deps.clock },
      );
      if (held?.result !== 'ok' && held?.result !== 'exists') {
        const available = held?.available ?? (await availableBalance(tx, start.userId));
        throw gatewayErrors.error(
          'insufficient_credits',
          `this call costs ${start.price} micro-USDC and ${available} are available`,
          { price: start.price.toString(), available: available.toString(), result: held?.result },
        );
      }
      hold = held.hold;
    }
    const [call] = await tx
      .insert(calls)
      .values({
        id,
        userId: start.userId,
        grantId: start.grantId,
        serverId: start.serverId,
        providerId: start.providerId,
        tool: start.tool,
        price: start.price,
        state: 'processing_request',
        requestHash: start.requestHash,
        startedAt: at,
      })
      .returning();
    return { call: call!, replay: false, hold };
  });
}

const grantCharge = (
  start: Pick<CallStart, 'grantId' | 'price' | 'providerId' | 'slug' | 'tool'>,
  at: Date,
): GrantCharge => ({
  grantId: start.grantId!,
  amount: start.price,
  providerId: start.providerId,
  slug: start.slug,
  tool: start.tool,
  at,
});

export type CallOutcome = { served: true; result: unknown } | { served: false; failure: string };

/**
 * Ends a call: served captures its hold (the price is charged), anything else releases it and
 * gives its grant the amount back. Ending a call that ended already changes nothing. A hold that
 * expired meanwhile cannot be captured: the call is then refunded (Tally lost the race, the person
 * does not pay).
 */
export async function finishCall(
  deps: Pick<GatewayDeps, 'db' | 'clock'>,
  callId: string,
  outcome: CallOutcome,
  slug: string,
  /** The hold as `beginCall` placed it, which saves the ledger reading it again. */
  hold?: Hold,
): Promise<Call> {
  return deps.db.transaction(async (tx) => {
    const [call] = await tx.select().from(calls).where(eq(calls.id, callId)).for('update');
    if (!call) throw new Error(`gateway call ${callId} is not recorded`);
    if (call.state !== 'processing_request') return call;
    const at = deps.clock.now();
    let served = outcome.served;
    let failure = outcome.served ? null : outcome.failure;
    if (call.price > 0n) {
      const done = await endHold(tx, deps.clock, callId, holdIdOf(callId), served, hold);
      if (done?.result !== 'ok' && done?.result !== 'exists') {
        // The hold ended behind the call's back (it expired): nothing was charged.
        served = false;
        failure = `the call outlasted its hold (${done?.result}); nothing was charged`;
      }
      if (!served && call.grantId) await returnToGrant(tx, grantCharge({ ...call, slug }, call.startedAt));
    }
    const [ended] = await tx
      .update(calls)
      .set({
        state: served ? 'served' : 'refunded',
        failure,
        result: served && outcome.served ? (outcome.result as object) : null,
        finishedAt: at,
        latencyMs: at.getTime() - call.startedAt.getTime(),
      })
      .where(eq(calls.id, callId))
      .returning();
    return ended!;
  });
}

/**
 * Refunds calls Tally lost track of (a process that died mid-call): their holds expire by
 * themselves after `CALL_HOLD_SECONDS`; this sweep ends the call rows and gives grants back.
 */
export async function sweepLostCalls(deps: Pick<GatewayDeps, 'db' | 'clock'>): Promise<number> {
  const cutoff = new Date(deps.clock.now().getTime() - CALL_HOLD_SECONDS * 1000);
  const lost = await deps.db
    .select({ id: calls.id, serverId: calls.serverId })
    .from(calls)
    .where(and(eq(calls.state, 'processing_request'), lte(calls.startedAt, cutoff)))
    .limit(500);
  for (const { id, serverId } of lost) {
    const [server] = await queryRows<{ slug: string }>(
      deps.db,
      sql`SELECT slug FROM gateway_servers WHERE id = ${serverId}`,
    );
    await finishCall(
      deps,
      id,
      { served: false, failure: 'Tally lost track of the call; nothing was charged' },
      server?.slug ?? '',
    );
  }
  return lost.length;
}
