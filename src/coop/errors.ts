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
  // What an order's state refuses (orders/state.ts): one code per state, `details.state` names it.
  order_preparing: {
    status: 409,
    description: 'The order is being prepared: producers answer first, then it opens',
  },
  order_open: { status: 409, description: 'The order is open: households are ordering until it closes' },
  order_closed: { status: 409, description: 'The order is closed: household orders can no longer change' },
  order_processed: {
    status: 409,
    description: 'The order is processed: deliveries are confirmed and bills out',
  },
  order_finished: { status: 409, description: 'The order is finished: every bill and invoice is paid' },
  order_in_progress: {
    status: 409,
    description: 'The club has an order being prepared or open already (details.order_id): one at a time',
  },
  producers_not_answered: {
    status: 409,
    description: 'Some producers have not said whether they can deliver (details.producers)',
  },
  no_producer_available: { status: 409, description: 'No producer can deliver: there is nothing to order' },
  producer_has_no_products: {
    status: 422,
    description: 'The producer has no product on offer: add its products before saying it is available',
  },
  order_deadline_passed: {
    status: 409,
    description: 'The order’s deadline passed: it is closing, and orders can no longer change',
  },
  product_not_in_order: {
    status: 422,
    description:
      'The product is not on offer in this order (its producer is not available, or it was archived)',
  },
  product_version_stale: {
    status: 409,
    description: 'The product changed since it was shown (details.current_version): look at it again',
  },
  implausible_weight: {
    status: 422,
    description:
      'A weighed amount is more than ten times the estimate (details.household_id): check it, then send it again with confirm_implausible',
  },
  delivery_confirmed: {
    status: 409,
    description: 'The producer’s delivery is confirmed: reopen the check to change it',
  },
  extra_taken_up: {
    status: 409,
    description: 'Households have taken all of that extra product (details.left)',
  },
  bill_settled: { status: 409, description: 'The household’s bill is paid: there is nothing to mark' },
  invoice_missing: { status: 409, description: 'The producer’s invoice has not been uploaded yet' },
  invoice_paid: { status: 409, description: 'The producer’s invoice is paid: it cannot change' },
  invoice_payment_sent: {
    status: 409,
    description:
      'The invoice is in a payment file sent to the bank already: it is paid once the statement shows it',
  },
  producer_without_iban: {
    status: 422,
    description: 'The producer has no IBAN to be paid to (details.producer_id): its liaison adds one',
  },
  club_account_missing: {
    status: 409,
    description: 'The club’s bank account is not set: the bookkeeper sets it first',
  },
  statement_other_account: {
    status: 422,
    description: 'The statement is of another account than the club’s (details.account_iban)',
  },
  bank_line_decided: {
    status: 409,
    description: 'The bank statement line was settled, assigned or set aside already (details.state)',
  },
  direct_debit_off: {
    status: 409,
    description:
      'The club does not collect by direct debit: its Admin switches it on with the club’s creditor identifier',
  },
  mandate_active: {
    status: 409,
    description:
      'The household has an active direct debit mandate already (details.mandate_id): revoke it first',
  },
  mandate_revoked: { status: 409, description: 'The direct debit mandate is revoked already' },
  bill_without_mandate: {
    status: 422,
    description:
      'The household has no active direct debit mandate to collect its bill with (details.household_id)',
  },
  bill_not_due: {
    status: 409,
    description: 'The bill is not due: it is paid, or flagged as a bad payment (details.state)',
  },
  bill_collection_sent: {
    status: 409,
    description:
      'The bill is in a direct debit collection sent to the bank already (details.collection_id): it is paid once the statement shows it',
  },
  collection_cancelled: { status: 409, description: 'The direct debit collection is cancelled already' },
  collection_arrived: {
    status: 409,
    description:
      'Money of the collection arrived or was returned already (the statement shows it): it can no longer be cancelled',
  },
});
