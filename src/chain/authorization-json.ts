import { z } from '@hono/zod-openapi';
import { PositiveAmount } from '../core/amounts';
import { type AuthorizationInput, type AuthorizationTerms, authorizationKinds } from './authorizations';

/** The JSON of EIP-3009 payments: what a wallet signs, and a signed authorization as routes take it. */

const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits')
  .openapi({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });
const Seconds = z
  .string()
  .regex(/^\d{1,20}$/, 'must be a whole number of seconds since 1970, as a decimal string');
const Field = z.object({ name: z.string(), type: z.string() });

export const AuthorizationTermsSchema = z
  .object({
    chain_id: z.number().int(),
    domain: z.object({
      name: z.string(),
      version: z.string(),
      chainId: z.number().int(),
      verifyingContract: Address,
    }),
    to: Address.openapi({ description: 'the treasury: the authorization’s `to`' }),
    types: z.object({
      ReceiveWithAuthorization: z.array(Field),
      TransferWithAuthorization: z.array(Field),
    }),
    decimals: z.number().int(),
    min_validity_seconds: z.number().int(),
    confirmations: z.number().int(),
  })
  .openapi('AuthorizationTerms');

export const authorizationTermsJson = (t: AuthorizationTerms) => ({
  chain_id: t.chainId,
  domain: {
    name: t.token.name,
    version: t.token.version,
    chainId: t.chainId,
    verifyingContract: t.token.address,
  },
  to: t.to,
  types: {
    ReceiveWithAuthorization: [...t.types.ReceiveWithAuthorization],
    TransferWithAuthorization: [...t.types.TransferWithAuthorization],
  },
  decimals: t.token.decimals,
  min_validity_seconds: t.minValiditySeconds,
  confirmations: t.confirmations,
});

/** A signed EIP-3009 authorization of USDC to the treasury, as a request body carries it. */
export const AuthorizationFields = {
  kind: z.enum(authorizationKinds).default('receive'),
  from: Address,
  value: PositiveAmount.openapi({ description: 'USDC micro-units' }),
  valid_after: Seconds,
  valid_before: Seconds,
  nonce: z.string().regex(/^0x[0-9a-fA-F]{64}$/, 'must be 32 bytes of hex'),
  signature: z.string().regex(/^0x([0-9a-fA-F]{2}){65,}$/, 'must be a hex signature'),
};

export const authorizationInputOf = (body: {
  kind: AuthorizationInput['kind'];
  from: string;
  value: string;
  valid_after: string;
  valid_before: string;
  nonce: string;
  signature: string;
}): AuthorizationInput => ({
  kind: body.kind,
  from: body.from,
  value: BigInt(body.value),
  validAfter: BigInt(body.valid_after),
  validBefore: BigInt(body.valid_before),
  nonce: body.nonce,
  signature: body.signature,
});
