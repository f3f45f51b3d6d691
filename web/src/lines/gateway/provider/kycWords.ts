import { formatMoment } from '../format';
import type { GatewayKycDocumentKind, GatewayProvider } from '../types';

export const documentKinds: { value: GatewayKycDocumentKind; label: string }[] = [
  { value: 'identity', label: 'Identity document' },
  { value: 'company_registration', label: 'Company registration' },
  { value: 'proof_of_address', label: 'Proof of address' },
  { value: 'other', label: 'Other' },
];

export const documentKindLabel = (kind: GatewayKycDocumentKind) =>
  documentKinds.find((k) => k.value === kind)?.label ?? kind;

/** KYC's next step in words, for the provider. */
export function kycNextStep(provider: GatewayProvider): string {
  const { kyc } = provider;
  switch (kyc.state) {
    case 'none':
      return provider.documents.length === 0
        ? 'Upload at least one document (an identity document, a company registration…), then submit it for review. Claiming earnings needs approved KYC.'
        : `${provider.documents.length} ${provider.documents.length === 1 ? 'document is' : 'documents are'} ready: submit them for review when all are there.`;
    case 'submitted':
      return `Waiting for an administrator's review, submitted ${formatMoment(kyc.submitted_at)}. You are told when it is decided.`;
    case 'approved':
      return `Approved ${formatMoment(kyc.reviewed_at)}: you can claim your earnings.`;
    case 'rejected':
      return `Rejected ${formatMoment(kyc.reviewed_at)}${kyc.note ? `: ${kyc.note.replace(/[.\s]*$/, '')}` : ''}. Upload corrected documents and submit again.`;
  }
}

/** `2048` → `2 KB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}
