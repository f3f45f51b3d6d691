import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import { challengeHostOf, type Whitelabel } from './service';

/** The JSON of a reseller's domain: the zod schemas routes answer with, and each record as JSON. */
export const WhitelabelSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    domain: z.string(),
    cname_target: z.string().openapi({ description: 'the host the domain’s CNAME record must point to' }),
    challenge: z.object({ host: z.string(), value: z.string() }).openapi({
      description:
        'the TXT record that proves the domain is yours: at `host`, holding `value` (a new one with every domain you set)',
    }),
    dns_verified_at: z.string().nullable(),
    last_checked_at: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CreditsWhitelabel');

export const whitelabelJson = (w: Whitelabel) => ({
  id: w.id,
  user_id: w.userId,
  domain: w.domain,
  cname_target: w.cnameTarget,
  challenge: { host: challengeHostOf(w.domain), value: w.challengeToken },
  dns_verified_at: iso(w.dnsVerifiedAt),
  last_checked_at: iso(w.lastCheckedAt),
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
});
