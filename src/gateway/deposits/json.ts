import { z } from '@hono/zod-openapi';
import { Address } from '../../chain/address';
import { AuthorizationTermsSchema, authorizationTermsJson } from '../../chain/authorization-json';
import { type AuthorizationTerms, authorizationKinds } from '../../chain/authorizations';
import { iso, Usdc, Uuid } from '../fields';
import { depositStates } from '../schema';
import type { Deposit } from './service';

export const DepositSchema = z
  .object({
    id: Uuid,
    state: z.enum(depositStates).openapi({
      description:
        'payment_received: submitted, waiting for confirmations; credits_issued: credited; failed: refused on chain',
    }),
    kind: z.enum(authorizationKinds),
    from: Address,
    amount: Usdc,
    asset: z.literal('USDC'),
    valid_after: z.string(),
    valid_before: z.string(),
    nonce: z.string(),
    transaction_id: Uuid.nullable().openapi({ description: 'the treasury’s transaction that submits it' }),
    encrypted: z.boolean().openapi({
      description:
        'paid to the encrypted credits contract and minted to my encrypted account, where the chain shows no balance',
    }),
    credited_at: z.string().nullable(),
    failure: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('GatewayDeposit');

export const depositJson = (d: Deposit) => ({
  id: d.id,
  state: d.state,
  kind: d.kind,
  from: d.fromAddress,
  amount: d.value.toString(),
  asset: 'USDC' as const,
  valid_after: d.validAfter.toString(),
  valid_before: d.validBefore.toString(),
  nonce: d.nonce,
  transaction_id: d.transactionId,
  encrypted: d.encrypted,
  credited_at: iso(d.creditedAt),
  failure: d.failure,
  created_at: d.createdAt.toISOString(),
});

/** What a wallet signs to deposit: the chain rail's authorization terms, and where encrypted deposits go. */
export const DepositTermsSchema = AuthorizationTermsSchema.extend({
  encrypted: z
    .object({
      to: Address.openapi({
        description:
          'the encrypted credits contract: an authorization to it (ReceiveWithAuthorization) mints the deposit to my encrypted account',
      }),
      account: Address.openapi({ description: 'the wallet of my registered encrypted account, which pays' }),
    })
    .nullable()
    .openapi({
      description: 'null until I register an encrypted account (or on a chain without encrypted credits)',
    }),
}).openapi('GatewayDepositTerms');

export const depositTermsJson = (
  terms: AuthorizationTerms,
  encrypted: { to: string; account: string } | null,
) => ({
  ...authorizationTermsJson(terms),
  encrypted,
});
