import { and, eq, gt, inArray } from 'drizzle-orm';
import type { Account } from 'viem';
import { type ChainRuntime, devAccounts, walletFor } from '../../chain/runtime';
import type { Actor } from '../../core/actor';
import { confirmedPersonId } from '../../core/auth/accounts';
import { users } from '../../core/auth/schema';
import type { Logger } from '../../core/log';
import { executeCheckout, planCheckout } from '../chain/checkout';
import { cancelCheckout, startCheckout } from '../checkouts/service';
import { walletStepsOf } from '../checkouts/wallet-steps';
import type { StreamsDeps } from '../deps';
import { listOwnPlans, type Plan } from '../plans/service';
import { findOwnProducer } from '../producers/service';
import { checkouts, subscriptions } from '../schema';
import { isEmbeddedChain } from '../subscriptions/accounts';
import { demoProducers, demoSubscribers, personActor } from './demo';

/**
 * The demo's subscribers (`demoSubscribers` in demo.ts), on the embedded development chain only.
 * `tally demo` runs without the chain, so the server does their part: once the demo producers'
 * plans exist, each subscriber checks out as a person in the web app would — a checkout through
 * the line's service, then the wallet steps Tally plans, signed and sent with the subscriber's
 * development key. The follower then sees the flow (or the ERC-777 send of a usage plan's uses)
 * and starts the subscription by itself.
 *
 * Run again and again (every minute): a wallet that has, or ever had, a subscription of a plan, or
 * holds a live reservation of it, is left alone, so a stream Tally closed is not started again and
 * a second run sends nothing. A checkout that fails (the chain refused, too few tokens) is logged
 * and tried again at the next run; when nothing of it reached the chain its reservation is given
 * back at once, otherwise it lapses (30 minutes) in case the follower has yet to see it.
 */

export interface DemoSubscribersDeps extends StreamsDeps {
  log: Logger;
}

/** What one run did, in words. */
export interface DemoSubscribersRun {
  /** Checkouts carried through on chain: their subscriptions start once the follower sees them. */
  started: string[];
  /** Checkouts that failed this run, with why; tried again at the next. */
  failed: string[];
}

/**
 * What a stream checkout wraps at least, in seconds of its flow. A checkout wraps the deposit and
 * one period of the plan; the run-out scan warns 7 days before a balance runs out and closes the
 * flow an hour before, so an hourly plan's single hour would be closed at the first scan. The
 * demo's subscribers wrap ten days, as a person paying ahead would.
 */
const RUNWAY_SECONDS = 10n * 86_400n;

/**
 * The job that gives the demo's plans their subscribers, on the embedded chain; none on any other
 * chain, or without one. It never throws: what fails is logged and tried again at the next run.
 */
export function demoSubscribersJob(deps: DemoSubscribersDeps): (() => Promise<DemoSubscribersRun>) | null {
  const { chain } = deps;
  if (!chain || !isEmbeddedChain(chain)) return null;
  const accounts = devAccounts();
  return async () => {
    const run: DemoSubscribersRun = { started: [], failed: [] };
    let plans: Map<string, Plan>;
    try {
      plans = await demoPlans(deps);
    } catch (error) {
      deps.log.warn(
        { err: error },
        'the demo subscribers could not read the demo plans; tried again at the next run',
      );
      return run;
    }
    for (const subscriber of demoSubscribers) {
      const account = accounts[subscriber.wallet]!;
      let actor: Actor | undefined;
      for (const pick of subscriber.plans) {
        const plan = plans.get(pick.plan);
        // Not made yet, or renamed; a vesting plan's flow starts at its cliff, by Tally.
        if (!plan || plan.kind === 'vesting') continue;
        // Paused or not started by its producer: no checkout would be taken.
        if (plan.status !== 'active' || plan.startsAt > deps.clock.now()) continue;
        const what =
          plan.kind === 'usage'
            ? `${subscriber.person} buys ${pick.uses} uses of "${plan.name}" from development account ${subscriber.wallet}`
            : `${subscriber.person} streams to "${plan.name}" from development account ${subscriber.wallet}`;
        try {
          if (await holdsOrIsCheckingOut(deps, plan.id, account.address.toLowerCase())) continue;
          actor ??= personActor(
            await confirmedPersonId(deps.db, deps.clock, {
              email: subscriber.email,
              name: subscriber.person,
            }),
          );
          await checkOut(deps, chain, actor, account, plan, pick.uses);
          run.started.push(what);
          deps.log.info({ plan: plan.id, wallet: account.address }, `demo: ${what}`);
        } catch (error) {
          run.failed.push(`${what}: ${reasonOf(error)}`);
          deps.log.warn(
            { err: error, plan: plan.id, wallet: account.address },
            `demo: ${what} failed; tried again at the next run`,
          );
        }
      }
    }
    return run;
  };
}

/** The demo producers' plans by name, once `tally demo` has made them; none before. */
async function demoPlans(deps: StreamsDeps): Promise<Map<string, Plan>> {
  const people = await deps.db
    .select({ id: users.id })
    .from(users)
    .where(
      inArray(
        users.email,
        demoProducers.map((producer) => producer.email),
      ),
    );
  const plans = new Map<string, Plan>();
  for (const { id } of people) {
    const actor = personActor(id);
    if (!(await findOwnProducer(deps.db, actor))) continue;
    for (const plan of await listOwnPlans(deps, actor)) plans.set(plan.name, plan);
  }
  return plans;
}

/** Whether the wallet has (or had) a subscription of the plan, or a reservation of it that has not lapsed. */
async function holdsOrIsCheckingOut(deps: StreamsDeps, planId: string, wallet: string): Promise<boolean> {
  const [subscription] = await deps.db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.planId, planId), eq(subscriptions.subscriberAddress, wallet)))
    .limit(1);
  if (subscription) return true;
  const [reserved] = await deps.db
    .select({ id: checkouts.id })
    .from(checkouts)
    .where(
      and(
        eq(checkouts.planId, planId),
        eq(checkouts.subscriberAddress, wallet),
        eq(checkouts.state, 'reserved'),
        gt(checkouts.expiresAt, deps.clock.now()),
      ),
    )
    .limit(1);
  return reserved !== undefined;
}

/**
 * A checkout of the plan through the line's service, then its wallet steps with the development
 * key: the permit signed, the batch sent. When it fails and the wallet sent nothing (its pending
 * nonce did not move), the reservation is cancelled so the next run starts afresh; a flow that did
 * land names a reserved checkout, which the follower needs to find reserved.
 */
async function checkOut(
  deps: StreamsDeps,
  chain: ChainRuntime,
  actor: Actor,
  account: Account,
  plan: Plan,
  uses: number | undefined,
): Promise<void> {
  const { publicClient } = chain.client;
  const checkout = await startCheckout(deps, actor, plan.id, {
    subscriberAddress: account.address,
    ...(plan.kind === 'usage' ? { uses } : {}),
  });
  const sentBefore = () =>
    publicClient.getTransactionCount({ address: account.address, blockTag: 'pending' });
  const nonce = await sentBefore();
  try {
    let planned = (await walletStepsOf(deps, actor, checkout.id)).plan;
    if (planned.terms.payment === undefined && planned.terms.prepaidSeconds < RUNWAY_SECONDS)
      planned = await planCheckout(publicClient, planned.contracts, {
        ...planned.terms,
        prepaidSeconds: RUNWAY_SECONDS,
      });
    await executeCheckout(publicClient, walletFor(chain.client, account), planned);
  } catch (error) {
    const sentNothing = await sentBefore().then(
      (now) => now === nonce,
      () => false,
    );
    // Left alone, the reservation lapses in 30 minutes anyway.
    if (sentNothing) await cancelCheckout(deps, actor, checkout.id).catch(() => undefined);
    throw error;
  }
}

const reasonOf = (error: unknown): string =>
  error instanceof Error
    ? ((error as Error & { shortMessage?: string }).shortMessage ?? error.message)
    : String(error);
