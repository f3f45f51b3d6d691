import { defineErrors } from '../core/errors';

/** The refusals of the streams line, each named after the rule that refused. */
export const streamsErrors = defineErrors({
  producer_exists: { status: 409, description: 'The person is a producer already: one producer per person' },
  producer_required: { status: 409, description: 'Register as a producer first' },
  plan_kind_fixed: {
    status: 409,
    description: 'A plan’s kind cannot change (details.field names what belongs to another kind)',
  },
  plan_inactive: { status: 409, description: 'The plan takes no new subscribers: its producer paused it' },
  plan_not_started: {
    status: 409,
    description: 'The plan takes subscribers from its start date (details.starts_at)',
  },
  plan_sold_out: {
    status: 409,
    description:
      'Every slot of the plan’s supply is taken by subscribers or live reservations (details.total_supply)',
  },
  vesting_terms_held: {
    status: 409,
    description:
      'A vesting plan’s cliff date and start amount cannot change while checkouts of it wait for their cliff: each wallet allowed and wrapped for the terms it checked out with (details.field, details.waiting)',
  },
  checkout_closed: {
    status: 409,
    description: 'The checkout is completed, expired or cancelled already (details.state)',
  },
  subscription_closed: {
    status: 409,
    description: 'The subscription no longer streams: it cannot change or end again (details.state)',
  },
  not_subscribed: {
    status: 409,
    description:
      'The wallet does not hold the plan: no stream runs for it, and no grace is left (details.wallet)',
  },
  uses_exhausted: {
    status: 409,
    description:
      'A usage plan: the wallet has fewer uses left than reported; it can buy more (details.bought, details.used, details.left)',
  },
  quota_exceeded: {
    status: 409,
    description: 'The uses would pass the plan’s month limit (details.limit, details.used, details.left)',
  },
});
