import { defineErrors } from '../core/errors';
import { ledgerErrors } from '../ledger/errors';

/** The refusals of the credits line, each named after the state or rule that refused. */
export const creditsErrors = defineErrors({
  reservation_active: { status: 409, description: 'The reservation is still active' },
  reservation_expired: {
    status: 409,
    description: 'The reservation passed its expiry; its credits are free again',
  },
  reservation_used: { status: 409, description: 'The reservation was used already' },
  reservation_released: { status: 409, description: 'The reservation was released already' },
  billing_member: {
    status: 409,
    description: 'The person a workspace bills cannot leave it or be removed while it is open',
  },
  workspace_reserve: {
    status: 422,
    description: 'A workspace’s own reserve is used by its activity and released by archiving it',
  },
  workspace_archived: {
    status: 409,
    description: 'The workspace is archived: nothing is spent in it any more',
  },
  workspace_name_taken: { status: 409, description: 'A workspace of that name exists already' },
  product_not_sold: { status: 422, description: 'The product is no longer sold' },
  own_product: { status: 422, description: 'A reseller cannot buy a product of its own' },
  order_recorded_differently: {
    status: 409,
    description: 'An order of that reference was recorded for another address or product',
  },
  action_not_in_products: {
    status: 403,
    description: 'None of the person’s products includes the action',
  },
  integration_deactivated: {
    status: 403,
    description: 'The integration is deactivated; its deliveries are refused',
  },
  domain_taken: { status: 409, description: 'Another reseller has set up that domain' },
  domain_not_set: {
    status: 409,
    description: 'The reseller has no domain yet: its brand and customers’ pages come with one',
  },
  checkout_unavailable: {
    status: 409,
    description:
      'Tally’s checkout cannot sell this product (priced in another currency than USD, no price, or no chain)',
  },
  checkout_amount: {
    status: 422,
    description: 'The authorization is not for the product’s price (details.price, micro-USDC)',
  },
  public_url_not_public: {
    status: 409,
    description: 'This Tally’s public address is not on the internet: no domain can point at it',
  },
  temporary_password_used: {
    status: 409,
    description: 'The temporary password was used already: log in with the chosen one, or reset it',
  },
  temporary_password_expired: {
    status: 422,
    description: 'The temporary password expired or was replaced by a newer one',
  },
  password_already_set: { status: 409, description: 'The account has a password already' },
  shop_already_started: {
    status: 409,
    description:
      'The reseller’s shop already has products or customers on Tally’s database: Tally’s operators move it into a database of its own (`tally credits tenant-move`)',
  },
  tenant_database_not_ready: {
    status: 409,
    description: 'The reseller’s own database is still being made (or its last try failed)',
  },
});
export type CreditsErrorCode = keyof typeof spendingRefusals.definitions;

/**
 * What the credits routes may answer: the line's own refusals and the ledger's they pass on (a retried
 * Idempotency-Key whose first attempt failed answers `id_already_failed`).
 */
export const spendingRefusals = {
  definitions: {
    ...creditsErrors.definitions,
    id_already_failed: ledgerErrors.definitions.id_already_failed,
  },
};
