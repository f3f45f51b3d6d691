import { z } from '@hono/zod-openapi';
import { Uuid } from '../fields';
import type { Producer, ProducerListing } from './service';

export const ProducerSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    site: z.string(),
    description: z.string(),
    payout_address: z.string(),
    created_at: z.string(),
  })
  .openapi('StreamsProducer');

export const producerJson = (p: Producer) => ({
  id: p.id,
  name: p.name,
  site: p.site,
  description: p.description,
  payout_address: p.payoutAddress,
  created_at: p.createdAt.toISOString(),
});

export const ProducerListingSchema = ProducerSchema.extend({
  open_plans: z.number().int().openapi({ description: 'plans taking subscribers now' }),
}).openapi('StreamsProducerListing');

export const producerListingJson = (p: ProducerListing) => ({ ...producerJson(p), open_plans: p.openPlans });
