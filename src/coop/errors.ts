import { defineErrors } from '../core/errors';

/** The refusals of the coop line, each named after the rule that refused. */
export const coopErrors = defineErrors({
  household_name_taken: { status: 409, description: 'An open household of the club has that name already' },
  household_archived: { status: 409, description: 'The household is archived: nobody joins or edits it' },
  in_a_household: {
    status: 409,
    description: 'The person is in a household of this club already (details.household_id): leave it first',
  },
  join_request_decided: {
    status: 409,
    description: 'The join request was approved, rejected or withdrawn already (details.state)',
  },
  join_code_wrong: {
    status: 422,
    description: 'The code typed is not the one shown to the person who asked to join',
  },
  producer_name_taken: { status: 409, description: 'The club has a producer of that name already' },
  product_code_taken: {
    status: 409,
    description: 'The producer has another product with that reference (details.field: code)',
  },
  invite_link_unusable: { status: 410, description: 'The invite link expired or was revoked' },
});
