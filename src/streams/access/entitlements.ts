import type { Actor } from '../../core/actor';
import { requireUser } from '../../core/actor';
import { notFound } from '../../core/errors';
import { type Signed, signWith } from '../../core/signed';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { getPlan } from '../plans/service';
import { standingOf } from './service';

/** The key purpose entitlements are signed under; its public key is `GET /api/streams/keys`. */
export const ENTITLEMENT_PURPOSE = 'streams.entitlements';

/**
 * How long an entitlement holds while its stream runs: a producer's service checks it offline, so
 * it must not outlive a stream that stops by much. An hour: the subscriber's app fetches a new one.
 */
export const ENTITLEMENT_SECONDS = 3600;

/** "Wallet W holds plan X until T", as Tally signs it. */
export interface Entitlement {
  plan_id: string;
  producer_id: string;
  wallet: string;
  subscription_id: string;
  issued_at: string;
  valid_until: string;
}

/**
 * A signed entitlement for the caller's wallet: while the stream runs it holds for an hour; after
 * Tally closed it, until the plan's grace ends. Refused (`not_subscribed`) when the wallet does not
 * hold the plan, or the subscription is someone else's.
 */
export async function issueEntitlement(
  deps: StreamsDeps,
  actor: Actor,
  planId: string,
  wallet: string,
): Promise<Signed<Entitlement>> {
  const userId = requireUser(actor);
  const plan = await getPlan(deps.db, planId);
  const now = deps.clock.now();
  const found = await standingOf(deps.db, plan, wallet, now);
  if (!found.subscription || found.subscription.userId !== userId)
    throw notFound('subscription', { plan_id: plan.id });
  if (!found.holds)
    throw streamsErrors.error('not_subscribed', 'the wallet does not hold the plan', { wallet });
  const hour = new Date(now.getTime() + ENTITLEMENT_SECONDS * 1000);
  const until = found.accessUntil && found.accessUntil < hour ? found.accessUntil : hour;
  return signWith(deps.keys, ENTITLEMENT_PURPOSE, {
    plan_id: plan.id,
    producer_id: plan.producerId,
    wallet: found.subscription.subscriberAddress,
    subscription_id: found.subscription.id,
    issued_at: now.toISOString(),
    valid_until: until.toISOString(),
  });
}
