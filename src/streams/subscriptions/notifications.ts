import type { NotificationTypeDefinition } from '../../core/notifications/registry';
import type { NotifyInput } from '../../core/notifications/service';

/** What the streams line tells subscribers about their streams; each person chooses where each type goes. */
export const STREAMS_NOTIFICATIONS = {
  runsOutSoon: 'streams.runs_out_soon',
  streamClosed: 'streams.stream_closed',
  streamLiquidated: 'streams.stream_liquidated',
  vestingNotStarted: 'streams.vesting_not_started',
} as const;

export const streamsNotificationTypes: Readonly<Record<string, NotificationTypeDefinition>> = {
  [STREAMS_NOTIFICATIONS.runsOutSoon]: {
    defaultChannel: 'both',
    label: 'Your stream’s balance runs out within 7 days, and within 24 hours',
  },
  [STREAMS_NOTIFICATIONS.streamClosed]: {
    defaultChannel: 'both',
    label: 'Tally closed your stream before its balance ran out',
  },
  [STREAMS_NOTIFICATIONS.streamLiquidated]: {
    defaultChannel: 'both',
    label: 'Your stream was liquidated when its balance ran out',
  },
  [STREAMS_NOTIFICATIONS.vestingNotStarted]: {
    defaultChannel: 'both',
    label: 'Your vesting plan could not start at its cliff date',
  },
};

/** One plan a notice names: its producer, and (after a close) how long access lasts. */
export interface NoticePlan {
  planName: string;
  producerId: string;
  producerName: string;
  graceSeconds: number;
}

export interface NoticeAccount {
  userId: string;
  wallet: string;
  token: string;
}

/** "2026-06-08 13:00 UTC": mails are read anywhere, and the chain counts in UTC. */
export const utc = (at: Date): string => `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;

/** "6 days", "1 day 23 hours", "20 hours", "45 minutes": rounded down, so never more time than is left. */
export function spanOf(seconds: number): string {
  const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  if (days > 0) return hours > 0 ? `${count(days, 'day')} ${count(hours, 'hour')}` : count(days, 'day');
  if (hours > 0) return count(hours, 'hour');
  const minutes = Math.floor(seconds / 60);
  return minutes > 0 ? count(minutes, 'minute') : 'less than a minute';
}

const planList = (plans: readonly NoticePlan[]) =>
  plans.map((plan) => `${plan.planName} (${plan.producerName})`).join(', ');

const producerLink = (plans: readonly NoticePlan[]) =>
  plans.length > 0 ? `/streams/producers/${plans[0]!.producerId}` : '/streams';

/**
 * The run-out warning: 7 days ahead, then 24 hours ahead. `dedupeKey` names the warning and the
 * moment it warns of, so a replay of the same scan never sends it twice.
 */
export function runsOutNotice(
  account: NoticeAccount,
  plans: readonly NoticePlan[],
  input: { runsOutAt: Date; now: Date; warning: '7d' | '24h'; closeMarginSeconds: number; dedupeKey: string },
): NotifyInput {
  const seconds = (input.runsOutAt.getTime() - input.now.getTime()) / 1000;
  return {
    userId: account.userId,
    type: STREAMS_NOTIFICATIONS.runsOutSoon,
    title:
      seconds > 0
        ? `Your ${account.token} balance runs out in ${spanOf(seconds)}`
        : `Your ${account.token} balance has run out`,
    body:
      `At its current rate, the ${account.token} balance of your wallet ${account.wallet} ` +
      `${seconds > 0 ? 'runs' : 'ran'} out on ${utc(input.runsOutAt)}; it pays for ${planList(plans)}. ` +
      `Add ${account.token} to the wallet to keep streaming. If it runs out, Tally closes the streams ` +
      `${spanOf(input.closeMarginSeconds)} before, so the buffer Superfluid holds while a stream runs ` +
      'comes back to you instead of going to a liquidator.',
    link: producerLink(plans),
    data: { wallet: account.wallet, token: account.token, runs_out_at: input.runsOutAt.toISOString() },
    dedupeKey: input.dedupeKey,
  };
}

/** Tally closed the flow before the account turned critical: the buffer came back, the grace runs. */
export function closedByTallyNotice(
  account: NoticeAccount,
  plans: readonly NoticePlan[],
  input: { closedAt: Date; dedupeKey: string },
): NotifyInput {
  const access = plans
    .map((plan) =>
      plan.graceSeconds > 0
        ? `${plan.planName}: until ${utc(new Date(input.closedAt.getTime() + plan.graceSeconds * 1000))}`
        : `${plan.planName}: ended with the stream`,
    )
    .join('; ');
  return {
    userId: account.userId,
    type: STREAMS_NOTIFICATIONS.streamClosed,
    title: `Tally closed your ${account.token} stream before its balance ran out`,
    body:
      `Your wallet ${account.wallet} was about to run out of ${account.token}, so Tally closed its stream ` +
      `for ${planList(plans)} on ${utc(input.closedAt)}. Closing before the balance ran out returned the ` +
      `whole buffer (the deposit Superfluid holds while a stream runs) to your wallet. Access continues ` +
      `(the plan’s grace period) — ${access}. You can resume at any time: add ${account.token} to the ` +
      'wallet and subscribe again.',
    link: producerLink(plans),
    data: { wallet: account.wallet, token: account.token, closed_at: input.closedAt.toISOString() },
    dedupeKey: input.dedupeKey,
  };
}

/** Someone else deleted the critical flow: the buffer went to the liquidator, access ended. */
export function liquidatedNotice(
  account: NoticeAccount,
  plans: readonly NoticePlan[],
  input: { closedAt: Date; dedupeKey: string },
): NotifyInput {
  return {
    userId: account.userId,
    type: STREAMS_NOTIFICATIONS.streamLiquidated,
    title: `Your ${account.token} stream was liquidated`,
    body:
      `The ${account.token} balance of your wallet ${account.wallet} ran out, and its stream for ` +
      `${planList(plans)} was closed by a liquidator on ${utc(input.closedAt)}; the buffer went to the ` +
      `liquidator, and access ended. You can subscribe again once the wallet holds ${account.token}.`,
    link: producerLink(plans),
    data: { wallet: account.wallet, token: account.token, closed_at: input.closedAt.toISOString() },
    dedupeKey: input.dedupeKey,
  };
}

/** Why the chain would refuse a vesting plan's cliff, by the refusal's code, as the subscriber can act on it. */
const cliffRefusals: Readonly<Record<string, (token: string) => string>> = {
  start_amount_not_covered: (token) =>
    `your wallet has not allowed Tally to pay the start amount from its ${token}, or holds too little ` +
    `${token} for it and the stream's deposit`,
  flow_operator_not_authorized: () => 'your wallet has not given Tally the permission to open the stream',
  flow_exists: (token) =>
    `your wallet already streams ${token} to the producer, and the plan opens a stream of its own`,
};

/** Whether a refusal is one of the wallet's state that the subscriber can put right (not the chain's silence). */
export const isCliffRefusal = (code: string): boolean => code in cliffRefusals;

/**
 * A vesting plan's cliff came and the chain would refuse to open it: the subscriber is told once,
 * while there is time to put it right before the reservation lapses.
 */
export function vestingNotStartedNotice(input: {
  userId: string;
  wallet: string;
  token: string;
  planId: string;
  planName: string;
  code: string;
  until: Date;
  checkoutId: string;
}): NotifyInput {
  const why = cliffRefusals[input.code]?.(input.token) ?? 'the chain refused it';
  return {
    userId: input.userId,
    type: STREAMS_NOTIFICATIONS.vestingNotStarted,
    title: `Your vesting plan ${input.planName} could not start at its cliff date`,
    body:
      `Tally could not open your stream for ${input.planName} from your wallet ${input.wallet}: ${why}. ` +
      `Open the checkout again and do the steps your wallet is asked; Tally tries again every minute until ` +
      `${utc(input.until)}, when your place lapses.`,
    link: `/streams/plans/${input.planId}/checkout`,
    data: { checkout_id: input.checkoutId, wallet: input.wallet, token: input.token, code: input.code },
    dedupeKey: `${STREAMS_NOTIFICATIONS.vestingNotStarted}:${input.checkoutId}`,
  };
}
