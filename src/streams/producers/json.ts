import { z } from '@hono/zod-openapi';
import { Uuid } from '../fields';
import type { Producer, ProducerListing } from './service';

/** A producer as anyone sees it: what the catalogue and the producer's public page show. */
export const PublicProducerSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    site: z.string(),
    description: z.string(),
    payout_address: z.string(),
    created_at: z.string(),
  })
  .openapi('StreamsPublicProducer');

export const publicProducerJson = (p: Producer) => ({
  id: p.id,
  name: p.name,
  site: p.site,
  description: p.description,
  payout_address: p.payoutAddress,
  created_at: p.createdAt.toISOString(),
});

/** A producer as its own person sees it: with the fields its receipts carry, which stay private. */
export const ProducerSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    site: z.string(),
    description: z.string(),
    payout_address: z.string(),
    legal_name: z.string().nullable().openapi({ description: 'the seller’s legal name on receipts' }),
    postal_address: z.string().nullable().openapi({ description: 'the seller’s postal address on receipts' }),
    tax_id: z.string().nullable().openapi({ description: 'the seller’s tax id (a VAT number) on receipts' }),
    vat_rate_bps: z.number().int().nullable().openapi({
      description: 'the VAT rate charged, in basis points (2000: 20 %); null: no VAT charged',
    }),
    created_at: z.string(),
  })
  .openapi('StreamsProducer');

export const producerJson = (p: Producer) => ({
  id: p.id,
  name: p.name,
  site: p.site,
  description: p.description,
  payout_address: p.payoutAddress,
  legal_name: p.legalName,
  postal_address: p.postalAddress,
  tax_id: p.taxId,
  vat_rate_bps: p.vatRateBps,
  created_at: p.createdAt.toISOString(),
});

export const ProducerListingSchema = PublicProducerSchema.extend({
  open_plans: z.number().int().openapi({ description: 'plans taking subscribers now' }),
}).openapi('StreamsProducerListing');

export const producerListingJson = (p: ProducerListing) => ({
  ...publicProducerJson(p),
  open_plans: p.openPlans,
});
