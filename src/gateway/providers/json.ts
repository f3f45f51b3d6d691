import { z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { iso, Uuid } from '../fields';
import { kycDocumentKinds, kycStates } from '../schema';
import type { KycDocument, Provider } from './service';

export const KycDocumentSchema = z
  .object({
    file_id: Uuid,
    kind: z.enum(kycDocumentKinds),
    name: z.string(),
    content_type: z.string(),
    size: z.number().int(),
    added_at: z.string(),
  })
  .openapi('GatewayKycDocument');

export const kycDocumentJson = (d: KycDocument) => ({
  file_id: d.fileId,
  kind: d.kind,
  name: d.name,
  content_type: d.contentType,
  size: d.size,
  added_at: d.addedAt.toISOString(),
});

export const ProviderSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    name: z.string(),
    payout_address: Address,
    kyc: z.object({
      state: z.enum(kycStates),
      submitted_at: z.string().nullable(),
      reviewed_at: z.string().nullable(),
      note: z.string().nullable().openapi({ description: 'the reviewer’s words: why it was rejected' }),
      can_claim: z.boolean().openapi({ description: 'only an approved provider can claim funds' }),
    }),
    documents: z.array(KycDocumentSchema),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('GatewayProvider');

export const providerJson = (p: Provider, documents: readonly KycDocument[]) => ({
  id: p.id,
  user_id: p.userId,
  name: p.name,
  payout_address: p.payoutAddress,
  kyc: {
    state: p.kycState,
    submitted_at: iso(p.kycSubmittedAt),
    reviewed_at: iso(p.kycReviewedAt),
    note: p.kycNote,
    can_claim: p.kycState === 'approved',
  },
  documents: documents.map(kycDocumentJson),
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});
