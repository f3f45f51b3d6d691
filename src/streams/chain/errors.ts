import { defineErrors } from '../../core/errors';

/** The refusals of a stream's on-chain steps, each named after the state of the flow that refused. */
export const streamChainErrors = defineErrors({
  flow_exists: {
    status: 409,
    description:
      'The subscriber already streams this token to the receiver: one flow per pair, change its rate instead',
  },
  permit_stale: {
    status: 409,
    description:
      'The permit the wallet signed no longer covers what the checkout needs (the balance moved): plan the steps again and sign anew',
  },
  start_amount_not_covered: {
    status: 409,
    description:
      'A vesting plan’s cliff: the subscriber has not allowed Tally’s operator the start amount, or does not hold it and the deposit',
  },
  flow_not_found: {
    status: 409,
    description: 'No flow of this token runs from the subscriber to the receiver',
  },
  flow_operator_not_authorized: {
    status: 409,
    description:
      'The subscriber has not given Tally’s operator the permission this change needs (details.permissions)',
  },
});
