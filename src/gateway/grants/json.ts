import { z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { iso, Usdc, Uuid } from '../fields';
import { grantKinds } from '../schema';
import type { Grant } from './service';

export const GrantSchema = z
  .object({
    id: Uuid,
    kind: z.enum(grantKinds),
    label: z.string(),
    state: z.enum(['active', 'expired', 'revoked']),
    wallet: Address.nullable(),
    session_key: z.string().nullable(),
    token_prefix: z.string().nullable().openapi({ description: 'the bearer token’s first characters' }),
    cap: Usdc,
    daily_budget: Usdc.nullable(),
    provider_caps: z.record(z.string(), Usdc),
    tool_caps: z.record(z.string(), Usdc),
    servers: z.array(z.string()).nullable(),
    committed: Usdc.openapi({ description: 'held and charged under the grant so far' }),
    expires_at: z.string(),
    revoked_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('GatewayGrant');

export const grantJson = (g: Grant, now: Date) => ({
  id: g.id,
  kind: g.kind,
  label: g.label,
  state: g.revokedAt ? ('revoked' as const) : g.expiresAt <= now ? ('expired' as const) : ('active' as const),
  wallet: g.walletAddress,
  session_key: g.sessionKey,
  token_prefix: g.tokenPrefix,
  cap: g.cap.toString(),
  daily_budget: g.dailyBudget?.toString() ?? null,
  provider_caps: g.providerCaps,
  tool_caps: g.toolCaps,
  servers: g.servers ?? null,
  committed: g.committed.toString(),
  expires_at: g.expiresAt.toISOString(),
  revoked_at: iso(g.revokedAt),
  last_used_at: iso(g.lastUsedAt),
  created_at: g.createdAt.toISOString(),
});
