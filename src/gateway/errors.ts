import { defineErrors } from '../core/errors';

/** The refusals of the gateway line, each named after the state or rule that refused. */
export const gatewayErrors = defineErrors({
  // The KYC machine's refusals (providers/kyc.ts), one per state that refuses a move.
  kyc_none: { status: 409, description: 'The provider has not submitted KYC documents yet' },
  kyc_submitted: { status: 409, description: 'The provider’s KYC documents wait for review' },
  kyc_rejected: { status: 409, description: 'The provider’s KYC was rejected: it must be submitted again' },
  kyc_approved: { status: 409, description: 'The provider’s KYC is approved already' },
  provider_exists: { status: 409, description: 'The person is a provider already: one provider per person' },
  provider_required: {
    status: 409,
    description: 'Only a provider can do this: register as a provider first',
  },
  kyc_documents_missing: {
    status: 422,
    description: 'KYC needs at least one document before it is submitted',
  },
  slug_taken: { status: 409, description: 'Another MCP server is reachable at that path already' },
  upstream_unreachable: {
    status: 422,
    description: 'Tally could not open an MCP session with the upstream server (details.reason says why)',
  },
  tool_unknown: { status: 422, description: 'The server does not offer a tool of that name' },
  wallet_not_linked: {
    status: 422,
    description: 'The paying wallet is not linked to the caller’s account (sign in with it once)',
  },
  insufficient_credits: {
    status: 422,
    description: 'The balance cannot pay for the call (details.price, details.available): top up first',
  },
  grant_exists: { status: 409, description: 'The session key (or the signed grant) has a grant already' },
  grant_revoked: { status: 403, description: 'The session grant was revoked' },
  grant_expired: { status: 403, description: 'The session grant has expired' },
  grant_limit: {
    status: 403,
    description:
      'The call would pass a limit of the session grant (details.limit: cap, daily_budget, provider_cap, tool_cap, servers)',
  },
  kyc_own_review: {
    status: 403,
    description: 'An administrator who is the provider leaves the KYC review to another administrator',
  },
  kyc_not_approved: { status: 403, description: 'Only a provider with approved KYC can claim funds' },
  nothing_to_claim: { status: 422, description: 'The provider’s earnings hold nothing to claim now' },
  // Encrypted payouts (encrypted/).
  encrypted_credits_off: {
    status: 409,
    description: 'This Tally’s chain has no encrypted credits: payouts are plain USDC',
  },
  not_payout_address: {
    status: 422,
    description: 'An encrypted account is registered from the provider’s payout address, which signs for it',
  },
  unusable_key: {
    status: 422,
    description: 'The key is not a point of the curve’s prime subgroup other than the identity',
  },
  bad_key_signature: {
    status: 422,
    description: 'The registration is not signed by the address it registers (EIP-712 RegisterKey)',
  },
  key_registered: {
    status: 409,
    description: 'The address has a key registered already: a key is for good (details.state)',
  },
  no_encrypted_account: {
    status: 409,
    description: 'The provider has no registered encrypted account: register one first',
  },
  not_encrypted_account: {
    status: 422,
    description:
      'A deposit to the encrypted credits contract comes from the wallet of the payer’s registered encrypted account, as a ReceiveWithAuthorization',
  },
  claim_pending: { status: 409, description: 'A claim of the encrypted balance is on its way already' },
  payout_on_its_way: {
    status: 409,
    description:
      'A payout into the encrypted account is on its way: once it has landed, read the balance and claim again',
  },
  invalid_claim_proof: {
    status: 422,
    description:
      'The withdrawal proof does not verify against the encrypted balance on chain now (details.reason): read the balance and prove again',
  },
});
