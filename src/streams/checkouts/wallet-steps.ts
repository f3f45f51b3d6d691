import { and, eq, gt, ne } from 'drizzle-orm';
import type { Address, Hex } from 'viem';
import type { ChainRuntime } from '../../chain/runtime';
import type { Actor } from '../../core/actor';
import { AppError } from '../../core/errors';
import {
  type CheckoutPlan,
  type CheckoutStepKind,
  foldCheckout,
  lastsAfterCheckout,
  planCheckout,
  planFlowDecrease,
  type WalletPrompt,
} from '../chain/checkout';
import { resolveStreamContracts, type StreamContracts } from '../chain/contracts';
import type { StreamsDeps } from '../deps';
import { streamsErrors } from '../errors';
import { periodAmount, SECONDS_PER_PERIOD } from '../flow-rate';
import { checkouts, plans, subscriptions } from '../schema';
import { type Checkout, getCheckout } from './service';

/**
 * What the subscriber's wallet still has to do for a checkout, planned by Tally from what the
 * chain says the wallet holds and has allowed (`chain/checkout.ts`), folded into the fewest
 * prompts the token allows, and the figures the page shows before the person signs: the deposit
 * the protocol locks, how long the balance lasts, what a period costs.
 */
export interface WalletSteps {
  checkout: Checkout;
  plan: CheckoutPlan;
  /** What a period of the plan streams, in wei (stream and vesting plans). */
  perPeriod: bigint | null;
  lastsSeconds: bigint | null;
  prompts: WalletPrompt[];
  /** Every step the checkout takes, and whether the wallet has done it already. */
  stepKinds: { kind: CheckoutStepKind; done: boolean }[];
}

/** The steps of a flow checkout, in the order a wallet takes them; the flow step is create or update. */
const FLOW_STEPS: readonly CheckoutStepKind[] = ['approve', 'wrap', 'create_flow', 'authorize_operator'];
/** A vesting plan's flow opens at the cliff, by Tally: the checkout wraps, allows the start amount and grants the permission. */
const VESTING_STEPS: readonly CheckoutStepKind[] = ['approve', 'wrap', 'approve_start', 'authorize_operator'];
/** A usage plan's uses are paid in one transfer: wrapped first when the wallet holds too little of the super token. */
const PAYMENT_STEPS: readonly CheckoutStepKind[] = ['approve', 'wrap', 'pay'];

const contractsCache = new WeakMap<ChainRuntime, Map<string, Promise<StreamContracts>>>();

/** The contracts of a super token on this chain, read once per process (the host decides them). */
function contractsOf(chain: ChainRuntime, token: 'USDCx' | 'DAIx'): Promise<StreamContracts> {
  let byToken = contractsCache.get(chain);
  if (!byToken) {
    byToken = new Map();
    contractsCache.set(chain, byToken);
  }
  let found = byToken.get(token);
  if (!found) {
    found = resolveStreamContracts(chain.client.publicClient, chain.deployment, token);
    found.catch(() => byToken?.delete(token));
    byToken.set(token, found);
  }
  return found;
}

/**
 * The start amounts Tally's operator is still to take from the wallet in the checkout's token, at
 * the cliffs of its other vesting checkouts: one allowance on the super token covers them all.
 */
async function othersWaitingStart(deps: StreamsDeps, checkout: Checkout): Promise<bigint> {
  const waiting = await deps.db
    .select({ startAmount: plans.startAmount })
    .from(checkouts)
    .innerJoin(plans, eq(plans.id, checkouts.planId))
    .where(
      and(
        eq(checkouts.subscriberAddress, checkout.subscriberAddress),
        eq(checkouts.token, checkout.token),
        eq(checkouts.purpose, 'subscribe'),
        eq(checkouts.state, 'reserved'),
        gt(checkouts.expiresAt, deps.clock.now()),
        ne(checkouts.id, checkout.id),
        eq(plans.kind, 'vesting'),
      ),
    );
  return waiting.reduce((sum, row) => sum + (row.startAmount ?? 0n), 0n);
}

export interface SignedPermit {
  value: bigint;
  deadline: bigint;
  signature: Hex;
}

/**
 * Plans the caller's reserved checkout for its wallet. With the permit the wallet signed (from an
 * earlier answer), the steps are planned around exactly that permit and the batch that carries it
 * is in the prompts.
 */
export async function walletStepsOf(
  deps: StreamsDeps,
  actor: Actor,
  checkoutId: string,
  signedPermit?: SignedPermit,
): Promise<WalletSteps> {
  const checkout = await getCheckout(deps, actor, checkoutId);
  if (checkout.state !== 'reserved')
    throw streamsErrors.error('checkout_closed', `the checkout is ${checkout.state}`, {
      state: checkout.state,
    });
  const chain = deps.chain;
  if (!chain) throw new AppError('unavailable', 'this Tally runs without a chain: nothing can stream');
  const [plan] = await deps.db.select().from(plans).where(eq(plans.id, checkout.planId));
  const contracts = await contractsOf(chain, checkout.token);
  const prepaidSeconds = plan!.period ? SECONDS_PER_PERIOD[plan!.period] : 0n;
  const keptForCliffs = await othersWaitingStart(deps, checkout);
  if (checkout.purpose !== 'subscribe') {
    const [replaced] = await deps.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.id, checkout.replacesSubscriptionId!));
    const delta = (checkout.flowRate ?? 0n) - (replaced!.flowRate ?? 0n);
    const flow = {
      subscriber: checkout.subscriberAddress as Address,
      receiver: checkout.receiverAddress as Address,
      operator: chain.treasury.address,
      checkoutId: checkout.id,
    };
    // A dearer plan raises the flow (and may wrap for its deposit and a period); a cheaper one or a
    // cancel lowers it, and the deposit's difference comes back.
    const planned =
      delta > 0n
        ? await planCheckout(chain.client.publicClient, contracts, {
            ...flow,
            flowRate: delta,
            prepaidSeconds,
            keptForCliffs,
            signedPermit: signedPermit && { value: signedPermit.value, deadline: signedPermit.deadline },
          })
        : await planFlowDecrease(chain.client.publicClient, contracts, { ...flow, decrease: -delta });
    return {
      checkout,
      plan: planned,
      perPeriod:
        plan!.period && checkout.purpose === 'change' ? periodAmount(checkout.flowRate!, plan!.period) : null,
      lastsSeconds: lastsAfterCheckout(planned),
      prompts: foldCheckout(planned, signedPermit?.signature),
      stepKinds: planned.steps.map((step) => ({ kind: step.kind, done: false })),
    };
  }
  const planned = await planCheckout(chain.client.publicClient, contracts, {
    subscriber: checkout.subscriberAddress as Address,
    receiver: checkout.receiverAddress as Address,
    flowRate: checkout.flowRate ?? 0n,
    operator: chain.treasury.address,
    checkoutId: checkout.id,
    prepaidSeconds,
    flowStart: plan!.kind === 'vesting' ? 'operator' : 'checkout',
    startAmount: plan!.kind === 'vesting' ? (plan!.startAmount ?? 0n) : undefined,
    startAllowance: plan!.kind === 'vesting' ? (plan!.startAmount ?? 0n) + keptForCliffs : undefined,
    keptForCliffs,
    payment: checkout.amount ?? undefined,
    signedPermit: signedPermit && { value: signedPermit.value, deadline: signedPermit.deadline },
  });
  const remaining = new Set<CheckoutStepKind>(
    planned.steps.map((step) => (step.kind === 'update_flow' ? 'create_flow' : step.kind)),
  );
  const kinds =
    checkout.amount !== null ? PAYMENT_STEPS : plan!.kind === 'vesting' ? VESTING_STEPS : FLOW_STEPS;
  return {
    checkout,
    plan: planned,
    perPeriod:
      plan!.period && checkout.flowRate !== null ? periodAmount(checkout.flowRate, plan!.period) : null,
    lastsSeconds: lastsAfterCheckout(planned),
    prompts: foldCheckout(planned, signedPermit?.signature),
    stepKinds: kinds.map((kind) => ({
      kind: kind === 'create_flow' && planned.existingFlowRate > 0n ? 'update_flow' : kind,
      done: !remaining.has(kind),
    })),
  };
}
