import { defineErrors } from '../core/errors';

/** The refusals of the chain rail, shared by every line that takes a wallet's signature or payment. */
export const chainErrors = defineErrors({
  authorization_not_valid_yet: {
    status: 422,
    description: 'The authorization’s validAfter is still to come',
  },
  authorization_expiring: {
    status: 422,
    description: 'The authorization expires too soon for the chain to take it (details.min_valid_before)',
  },
  signature_invalid: {
    status: 422,
    description: 'The signature is not the signer’s signature of these terms',
  },
  insufficient_balance: {
    status: 422,
    description:
      'The payer’s wallet holds less of the token than the authorization moves (details.balance, details.needed)',
  },
  authorization_used: {
    status: 409,
    description: 'The authorization was used or cancelled on chain, or sent to Tally with other terms',
  },
});
