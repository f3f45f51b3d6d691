import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import { domainStates } from '../schema';
import type { Whitelabel } from './domain-lifecycle';
import { challengeHostOf, domainUrl } from './domain-names';
import { SUSPEND_AFTER_FAILED_CHECKS } from './domain-state';

/** The JSON of a reseller's domain: the zod schemas routes answer with, and each record as JSON. */
export const WhitelabelSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    domain: z.string(),
    url: z.string().openapi({
      description: 'where the reseller’s customers reach the domain once it is active',
    }),
    status: z.enum(domainStates).openapi({
      description:
        '`pending` until both records are found; `verified` once they are (the name is the reseller’s alone); `active` once it serves the reseller’s customers; `suspended` when its records went wrong `suspend_after_failed_checks` checks in a row (active again once they are right)',
    }),
    cname_target: z.string().openapi({ description: 'the host the domain’s CNAME record must point to' }),
    challenge: z.object({ host: z.string(), value: z.string() }).openapi({
      description:
        'the TXT record that proves the domain is yours: at `host`, holding `value` (a new one with every domain you set)',
    }),
    dns_verified_at: z
      .string()
      .nullable()
      .openapi({ description: 'when both records were first found right' }),
    activated_at: z.string().nullable().openapi({ description: 'when the domain last became active' }),
    suspended_at: z
      .string()
      .nullable()
      .openapi({ description: 'when the domain was suspended; null unless it is' }),
    suspension_reason: z.string().nullable().openapi({
      description: 'what is wrong with the records, in words to act on; null unless suspended',
    }),
    failed_checks: z.number().int().openapi({
      description: 'checks in a row that found the records wrong (a lookup that failed counts none)',
    }),
    suspend_after_failed_checks: z.number().int().openapi({
      description: 'wrong answers in a row that suspend a verified or active domain',
    }),
    last_checked_at: z.string().nullable(),
    next_check_at: z.string().nullable().openapi({
      description: 'when Tally looks at the records next; null for a name under .localhost, which has none',
    }),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CreditsWhitelabel');

export const whitelabelJson = (w: Whitelabel, publicUrl: string) => ({
  id: w.id,
  user_id: w.userId,
  domain: w.domain,
  url: domainUrl(w.domain, publicUrl),
  status: w.status,
  cname_target: w.cnameTarget,
  challenge: { host: challengeHostOf(w.domain), value: w.challengeToken },
  dns_verified_at: iso(w.dnsVerifiedAt),
  activated_at: iso(w.activatedAt),
  suspended_at: iso(w.suspendedAt),
  suspension_reason: w.suspensionReason,
  failed_checks: w.failedChecks,
  suspend_after_failed_checks: SUSPEND_AFTER_FAILED_CHECKS,
  last_checked_at: iso(w.lastCheckedAt),
  next_check_at: iso(w.nextCheckAt),
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
});
