import { defineErrors } from '../core/errors';

/** The refusals of the streams line, each named after the rule that refused. */
export const streamsErrors = defineErrors({
  producer_exists: { status: 409, description: 'The person is a producer already: one producer per person' },
  producer_required: { status: 409, description: 'Register as a producer first' },
  plan_kind_fixed: {
    status: 409,
    description: 'A plan’s kind cannot change (details.field names what belongs to another kind)',
  },
});
