import { defineStateMachine } from '../../core/state-machine';
import type { KycState } from '../schema';

/**
 * A provider's KYC: documents are submitted, an administrator approves or rejects them, and a
 * rejected provider may submit again. Approval is final (an administrator who must take it back
 * suspends the provider's servers instead). Only an approved provider can claim funds.
 */
export const kycMachine = defineStateMachine<KycState>({
  name: 'kyc',
  moves: { none: ['submitted'], submitted: ['approved', 'rejected'], rejected: ['submitted'], approved: [] },
  refusals: {
    none: 'the KYC documents are not submitted yet',
    submitted: 'the KYC documents are submitted and wait for review',
    rejected: 'the KYC documents were rejected: submit them again first',
    approved: 'the KYC is approved already',
  },
});
