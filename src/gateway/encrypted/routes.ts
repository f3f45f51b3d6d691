import { createRoute, z } from '@hono/zod-openapi';
import { getAddress, type Hex } from 'viem';
import { Address } from '../../chain/address';
import { balanceKeyMessage, ciphertextFromJson, ciphertextToJson } from '../../chain/zk/elgamal';
import { requireUser } from '../../core/actor';
import { createRouter, errorResponses, jsonBody, jsonResponse, refusals } from '../../core/http';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { iso, Usdc, Uuid } from '../fields';
import { creditsAccountOf, findAccount } from '../ledger';
import { requireOwnProvider } from '../providers/service';
import { encryptedAccountStates, payoutStates } from '../schema';
import {
  type EncryptedAccount,
  findProviderAccount,
  findSpendingAccount,
  keyRegistrationTerms,
  registerProviderKey,
  registerSpendingKey,
} from './accounts';
import { listEncryptedAudits } from './audit';
import {
  claimEncrypted,
  type EncryptedClaim,
  encryptedAvailable,
  listClaims,
  payoutLanding,
  readAccountCiphertexts,
} from './claims';
import { type EncryptedCredits, findEncryptedCredits } from './runtime';
import { spendingRecord } from './spending';

const tags = ['Gateway: encrypted payouts'];

const FieldElement = z
  .string()
  .regex(/^[0-9]{1,78}$/, 'a decimal field element')
  .openapi({ description: 'a BN254 field element, in decimal' });
const PointSchema = z.object({ x: FieldElement, y: FieldElement }).openapi('BabyJubJubPoint');
const CiphertextSchema = z.object({ c1: PointSchema, c2: PointSchema }).openapi('ElGamalCiphertext');

const AccountSchema = z
  .object({
    address: Address,
    state: z.enum(encryptedAccountStates),
    key: PointSchema,
    failure: z.string().nullable(),
    created_at: z.string(),
    registered_at: z.string().nullable(),
  })
  .openapi('GatewayEncryptedAccount');

const ClaimSchema = z
  .object({
    id: Uuid,
    state: z.enum(payoutStates),
    amount: Usdc,
    to: Address,
    transaction_id: Uuid.nullable().openapi({
      description: 'the treasury’s transaction that submits the withdrawal',
    }),
    failure: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('GatewayEncryptedClaim');

/** Where an encrypted account lives and what its owner's wallet signs to make its key. */
const KeyTermsFields = {
  enabled: z.boolean().openapi({ description: 'false on a chain without encrypted credits' }),
  contract: Address.nullable(),
  chain_id: z.number().int().nullable(),
  key_message: z.string().openapi({
    description:
      'what the wallet signs (personal_sign) to derive the key: the same wallet always derives the same key',
  }),
};

const keyTermsJson = (credits: EncryptedCredits | null) => ({
  enabled: credits !== null,
  contract: credits?.contract ?? null,
  chain_id: credits?.chain.client.chainId ?? null,
  key_message: balanceKeyMessage,
});

const point = (x: bigint | string, y: bigint | string) => ({ x: x.toString(), y: y.toString() });

const RegistrationSchema = z
  .object({
    domain: z.object({
      name: z.string(),
      version: z.string(),
      chainId: z.number().int(),
      verifyingContract: Address,
    }),
    types: z.record(z.string(), z.array(z.object({ name: z.string(), type: z.string() }))),
    primaryType: z.literal('RegisterKey'),
    message: z.object({ account: Address, keyX: FieldElement, keyY: FieldElement }),
  })
  .openapi('GatewayKeyRegistration');

const KeyBody = z.strictObject({
  address: Address,
  key: PointSchema,
  signature: z.string().regex(/^0x[0-9a-fA-F]+$/),
});

async function registrationJson(deps: GatewayDeps, address: string, key: { x: string; y: string }) {
  const terms = await keyRegistrationTerms(deps, getAddress(address), { x: BigInt(key.x), y: BigInt(key.y) });
  return {
    domain: terms.domain,
    types: terms.types,
    primaryType: terms.primaryType,
    message: { account: getAddress(address), keyX: key.x, keyY: key.y },
  };
}

const keyInput = (body: z.infer<typeof KeyBody>) => ({
  address: body.address,
  key: { x: BigInt(body.key.x), y: BigInt(body.key.y) },
  signature: body.signature as Hex,
});

const accountJson = (a: EncryptedAccount) => ({
  address: a.address,
  state: a.state,
  key: point(a.keyX, a.keyY),
  failure: a.failure,
  created_at: a.createdAt.toISOString(),
  registered_at: iso(a.registeredAt),
});

const claimJson = (c: EncryptedClaim) => ({
  id: c.id,
  state: c.state,
  amount: c.amount.toString(),
  to: c.address,
  transaction_id: c.transactionId,
  failure: c.failure,
  created_at: c.createdAt.toISOString(),
  finished_at: iso(c.finishedAt),
});

/** A provider's encrypted account (its key, its balance as the chain holds it, its claims); the audit runs (administrators). */
export function encryptedRoutes(deps: GatewayDeps) {
  const router = createRouter();

  router.openapi(
    createRoute({
      method: 'get',
      path: '/provider/encrypted',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'My encrypted account: what to sign to make and register its key, its balance as the chain holds it (only my key reads it), and my claims',
      responses: {
        200: jsonResponse(
          z.object({
            ...KeyTermsFields,
            payout_address: Address,
            account: AccountSchema.nullable(),
            balance: CiphertextSchema.nullable().openapi({
              description: 'the account’s balance under its own key, as the chain holds it now',
            }),
            claimable: Usdc.openapi({
              description: 'what Tally’s ledger says the account holds and can be claimed',
            }),
            can_claim: z.boolean(),
            payout_landing: z.boolean().openapi({
              description:
                'a payout into the account is on its way: a claim waits until it has landed (a claim proven before would be refused)',
            }),
            claims: z.array(ClaimSchema),
          }),
          'The encrypted account',
        ),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required']),
      },
    }),
    async (c) => {
      const provider = await requireOwnProvider(deps.db, c.get('actor'));
      const credits = await findEncryptedCredits(deps);
      const account = await findProviderAccount(deps.db, provider.id);
      const registered = account?.state === 'registered';
      const [held, claimable, claims, landing] = await Promise.all([
        registered && credits ? readAccountCiphertexts(deps, account) : null,
        encryptedAvailable(deps.db, provider.id),
        listClaims(deps.db, provider.id),
        account ? payoutLanding(deps.db, account.address) : false,
      ]);
      return c.json(
        {
          ...keyTermsJson(credits),
          payout_address: provider.payoutAddress,
          account: account ? accountJson(account) : null,
          balance: held ? ciphertextToJson(held.balance) : null,
          claimable: claimable.toString(),
          can_claim:
            registered &&
            provider.kycState === 'approved' &&
            claimable > 0n &&
            !landing &&
            !claims.some((claim) => claim.state === 'pending'),
          payout_landing: landing,
          claims: claims.map(claimJson),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/encrypted/registration',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary: 'The EIP-712 message my payout wallet signs to register a key (RegisterKey), for that key',
      request: jsonBody(z.strictObject({ key: PointSchema })),
      responses: {
        200: jsonResponse(RegistrationSchema, 'What to sign'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['provider_required', 'encrypted_credits_off']),
      },
    }),
    async (c) => {
      const provider = await requireOwnProvider(deps.db, c.get('actor'));
      return c.json(await registrationJson(deps, provider.payoutAddress, c.req.valid('json').key), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/encrypted/key',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Register my encrypted account’s key, signed by my payout wallet: Tally submits it, so I spend no gas; payouts are then encrypted to it',
      request: jsonBody(KeyBody),
      responses: {
        201: jsonResponse(AccountSchema, 'The account, its registration on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, [
          'provider_required',
          'encrypted_credits_off',
          'not_payout_address',
          'unusable_key',
          'bad_key_signature',
          'key_registered',
        ]),
      },
    }),
    async (c) => {
      const account = await registerProviderKey(deps, c.get('actor'), keyInput(c.req.valid('json')));
      return c.json(accountJson(account), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/provider/encrypted/claims',
      access: { caller: 'signed-in', scope: 'gateway:provide' },
      tags,
      summary:
        'Claim my encrypted balance to USDC at my account’s address, with the withdrawal proof my key made (approved KYC only)',
      request: jsonBody(
        z.strictObject({
          amount: Usdc,
          new_balance: CiphertextSchema,
          proof: z
            .object({
              pi_a: z.array(FieldElement).min(2).max(3),
              pi_b: z.array(z.array(FieldElement).length(2)).min(2).max(3),
              pi_c: z.array(FieldElement).min(2).max(3),
            })
            .openapi({ description: 'the Groth16 proof as snarkjs gives it' }),
        }),
      ),
      responses: {
        201: jsonResponse(ClaimSchema, 'The claim, on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, [
          'provider_required',
          'kyc_not_approved',
          'encrypted_credits_off',
          'no_encrypted_account',
          'claim_pending',
          'payout_on_its_way',
          'nothing_to_claim',
          'invalid_claim_proof',
        ]),
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const provider = await requireOwnProvider(deps.db, actor);
      const body = c.req.valid('json');
      const claim = await claimEncrypted(deps, actor, provider, {
        amount: BigInt(body.amount),
        newBalance: ciphertextFromJson(body.new_balance),
        proof: {
          pi_a: body.proof.pi_a,
          pi_b: body.proof.pi_b,
          pi_c: body.proof.pi_c,
          protocol: 'groth16',
          curve: 'bn128',
        },
      });
      return c.json(claimJson(claim), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/encrypted',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'My encrypted credits account: what to sign to make and register its key, and its balance as the chain holds it (only my key and the auditor’s read it)',
      responses: {
        200: jsonResponse(
          z.object({
            ...KeyTermsFields,
            account: AccountSchema.nullable(),
            balance: CiphertextSchema.nullable().openapi({
              description: 'the account’s balance under my key, as the chain holds it now',
            }),
            on_chain: Usdc.openapi({
              description:
                'what the account holds by Tally’s record: my encrypted deposits less what the settlements swept out of it',
            }),
            unswept: Usdc.openapi({
              description:
                'what I spent since the last settlement and the account still holds: the next settlement moves it into the pool',
            }),
          }),
          'The account',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const actor = c.get('actor');
      const userId = requireUser(actor);
      const credits = await findEncryptedCredits(deps);
      const account = await findSpendingAccount(deps.db, userId);
      const registered = credits !== null && account?.state === 'registered';
      const [held, onChain, owed] = await Promise.all([
        registered ? readAccountCiphertexts(deps, account) : null,
        account ? spendingRecord(deps.db, account.address) : 0n,
        postedIn(deps.db, creditsAccountOf(userId)),
      ]);
      return c.json(
        {
          ...keyTermsJson(credits),
          account: account ? accountJson(account) : null,
          balance: held ? ciphertextToJson(held.balance) : null,
          on_chain: onChain.toString(),
          unswept: (onChain > owed ? onChain - owed : 0n).toString(),
        },
        200,
      );
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/encrypted/registration',
      access: { caller: 'signed-in', scope: 'gateway:read' },
      tags,
      summary:
        'The EIP-712 message one of my wallets signs to register a key for my encrypted credits (RegisterKey)',
      request: jsonBody(z.strictObject({ address: Address, key: PointSchema })),
      responses: {
        200: jsonResponse(RegistrationSchema, 'What to sign'),
        ...errorResponses,
        ...refusals(gatewayErrors, ['encrypted_credits_off']),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      return c.json(await registrationJson(deps, body.address, body.key), 200);
    },
  );

  router.openapi(
    createRoute({
      method: 'post',
      path: '/encrypted/key',
      access: { caller: 'signed-in', scope: 'gateway:spend' },
      tags,
      summary:
        'Register the key of my encrypted credits account, signed by one of my linked wallets: Tally submits it, so I spend no gas; deposits from that wallet are then minted to it',
      request: jsonBody(KeyBody),
      responses: {
        201: jsonResponse(AccountSchema, 'The account, its registration on its way'),
        ...errorResponses,
        ...refusals(gatewayErrors, [
          'encrypted_credits_off',
          'wallet_not_linked',
          'unusable_key',
          'bad_key_signature',
          'key_registered',
        ]),
      },
    }),
    async (c) => {
      const account = await registerSpendingKey(deps, c.get('actor'), keyInput(c.req.valid('json')));
      return c.json(accountJson(account), 201);
    },
  );

  router.openapi(
    createRoute({
      method: 'get',
      path: '/encrypted/audits',
      access: { caller: 'admin', scope: 'gateway:read' },
      tags,
      summary:
        'The daily checks of every encrypted balance, decrypted with the auditor key, against the ledger (latest first)',
      responses: {
        200: jsonResponse(
          z.object({
            audits: z.array(
              z.object({
                id: Uuid,
                ran_at: z.string(),
                checked: z.number().int(),
                skipped: z.number().int(),
                mismatches: z.array(
                  z.object({
                    address: Address,
                    provider_id: Uuid.nullable().openapi({
                      description: 'the provider whose payout account it is',
                    }),
                    user_id: Uuid.nullable().openapi({
                      description: 'the person whose credits account it is',
                    }),
                    expected: Usdc,
                    found: Usdc.nullable(),
                  }),
                ),
              }),
            ),
          }),
          'The runs',
        ),
        ...errorResponses,
      },
    }),
    async (c) => {
      const audits = await listEncryptedAudits(deps, c.get('actor'));
      return c.json(
        {
          audits: audits.map((a) => ({
            id: a.id,
            ran_at: a.ranAt.toISOString(),
            checked: a.checked,
            skipped: a.skipped,
            mismatches: a.mismatches.map((m) => ({
              address: m.address,
              provider_id: m.providerId ?? null,
              user_id: m.userId ?? null,
              expected: m.expected,
              found: m.found,
            })),
          })),
        },
        200,
      );
    },
  );

  return router;
}

/** What an account has posted (credits less debits): what the ledger owes, holds aside. */
async function postedIn(db: GatewayDeps['db'], id: string): Promise<bigint> {
  const account = await findAccount(db, id);
  return account ? account.creditsPosted - account.debitsPosted : 0n;
}
