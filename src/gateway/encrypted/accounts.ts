import { and, eq } from 'drizzle-orm';
import { type Address, encodeFunctionData, getAddress, type Hex } from 'viem';
import * as EncryptedCreditsContract from '../../chain/contracts/EncryptedCredits';
import { estimateGasLimit, queueTransaction, type Settlement } from '../../chain/sender/sender';
import {
  identity,
  isOnCurve,
  multiply,
  type Point,
  pointsEqual,
  subgroupOrder,
} from '../../chain/zk/babyjub';
import { keyEighthArgument, registerKeyTypedData } from '../../chain/zk/encrypted-credits';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { walletOwner } from '../../core/auth/siwe';
import type { Db } from '../../core/database';
import { databaseStep, defineFlow, type Flow } from '../../core/flows';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { requireOwnProvider } from '../providers/service';
import { encryptedAccounts } from '../schema';
import { requireEncryptedCredits } from './runtime';

export type EncryptedAccount = typeof encryptedAccounts.$inferSelect;

/** The sender's purpose for the treasury's transactions that register an owner's key. */
export const KEY_REGISTRATION_PURPOSE = 'gateway.encrypted_key';

export const keyOfAccount = (account: EncryptedAccount): Point => ({
  x: BigInt(account.keyX),
  y: BigInt(account.keyY),
});

/** What a provider's wallet signs to register its key, as the contract checks it (EIP-712 `RegisterKey`). */
export async function keyRegistrationTerms(deps: Pick<GatewayDeps, 'chain'>, address: Address, key: Point) {
  const credits = await requireEncryptedCredits(deps);
  return registerKeyTypedData({
    chainId: credits.chain.client.chainId,
    contract: credits.contract,
    account: address,
    key,
  });
}

/** A person's own encrypted account, which their deposits from its wallet are minted to. */
export async function findSpendingAccount(db: Db, userId: string): Promise<EncryptedAccount | null> {
  const [account] = await db
    .select()
    .from(encryptedAccounts)
    .where(and(eq(encryptedAccounts.userId, userId), eq(encryptedAccounts.spending, true)));
  return account ?? null;
}

export async function findProviderAccount(db: Db, providerId: string): Promise<EncryptedAccount | null> {
  const [account] = await db
    .select()
    .from(encryptedAccounts)
    .where(eq(encryptedAccounts.providerId, providerId));
  return account ?? null;
}

/** A key the contract will take: on the curve, in its prime subgroup, not the identity. */
function isUsableKey(key: Point): boolean {
  return isOnCurve(key) && !pointsEqual(key, identity) && pointsEqual(multiply(key, subgroupOrder), identity);
}

/**
 * Registers the key of the provider's encrypted account, which its payouts are encrypted to: the
 * key the provider's wallet derived from its signature of the balance-key message, and the same
 * wallet's EIP-712 signature of it. The treasury submits it, so the provider spends no gas. A key is
 * for good; a registration that failed on chain may be made again.
 */
export async function registerProviderKey(
  deps: GatewayDeps,
  actor: Actor,
  input: KeyRegistration,
): Promise<EncryptedAccount> {
  requireUser(actor);
  const provider = await requireOwnProvider(deps.db, actor);
  if (getAddress(input.address).toLowerCase() !== provider.payoutAddress.toLowerCase())
    throw gatewayErrors.error(
      'not_payout_address',
      `register the key from your payout address ${provider.payoutAddress}, which signs for it`,
      { field: 'address' },
    );
  return registerKey(deps, actor, input, {
    userId: provider.userId,
    existing: await findProviderAccount(deps.db, provider.id),
    role: { providerId: provider.id, spending: false },
  });
}

/**
 * Registers the key of a person's own encrypted account, from one of their linked wallets: from
 * then on their deposits from that wallet are minted to it on chain, under their key and the
 * auditor's, and what they spend leaves it for the pool at each settlement.
 */
export async function registerSpendingKey(
  deps: GatewayDeps,
  actor: Actor,
  input: KeyRegistration,
): Promise<EncryptedAccount> {
  const userId = requireUser(actor);
  if ((await walletOwner(deps.db, getAddress(input.address))) !== userId)
    throw gatewayErrors.error(
      'wallet_not_linked',
      'register the key from a wallet linked to your account: sign in with it once (Wallet page) and try again',
      { field: 'address' },
    );
  return registerKey(deps, actor, input, {
    userId,
    existing: await findSpendingAccount(deps.db, userId),
    role: { providerId: null, spending: true },
  });
}

export type KeyRegistration = { address: string; key: Point; signature: Hex };

async function registerKey(
  deps: GatewayDeps,
  actor: Actor,
  input: KeyRegistration,
  owner: {
    userId: string;
    existing: EncryptedAccount | null;
    role: { providerId: string | null; spending: boolean };
  },
): Promise<EncryptedAccount> {
  const credits = await requireEncryptedCredits(deps);
  const address = getAddress(input.address);
  if (!isUsableKey(input.key))
    throw gatewayErrors.error('unusable_key', 'the key is not a usable BabyJubJub public key', {
      field: 'key',
    });
  const { existing } = owner;
  if (existing && existing.state !== 'failed') {
    if (existing.address === address.toLowerCase() && pointsEqual(keyOfAccount(existing), input.key))
      return existing;
    throw gatewayErrors.error('key_registered', 'your encrypted account has its key already', {
      state: existing.state,
    });
  }
  // An address holds one account: a person's credits and a provider's payouts never share one, so
  // neither reads as the other's in the ledger or on chain.
  const [sameAddress] = await deps.db
    .select()
    .from(encryptedAccounts)
    .where(eq(encryptedAccounts.address, address.toLowerCase()));
  if (sameAddress && sameAddress.state !== 'failed')
    throw gatewayErrors.error(
      'key_registered',
      sameAddress.spending
        ? `${address} holds an account for credits already: use another wallet`
        : `${address} holds a provider's payout account already: use another wallet`,
      { field: 'address', state: sameAddress.state },
    );
  const [onChain, signed] = await Promise.all([
    credits.chain.client.publicClient.readContract({
      address: credits.contract,
      abi: EncryptedCreditsContract.abi,
      functionName: 'keyOf',
      args: [address],
    }),
    credits.chain.client.publicClient.verifyTypedData({
      ...(await keyRegistrationTerms(deps, address, input.key)),
      address,
      signature: input.signature,
    }),
  ]);
  if (!signed)
    throw gatewayErrors.error('bad_key_signature', `the registration is not signed by ${address}`, {
      field: 'signature',
    });
  const registeredKey = { x: onChain.x, y: onChain.y };
  const alreadyOnChain = registeredKey.x !== 0n || registeredKey.y !== 0n;
  if (alreadyOnChain && !pointsEqual(registeredKey, input.key))
    throw gatewayErrors.error('key_registered', `${address} has another key registered on chain`, {
      state: 'registered',
    });

  const data = encodeFunctionData({
    abi: EncryptedCreditsContract.abi,
    functionName: 'registerKey',
    args: [address, keyEighthArgument(input.key), input.signature],
  });
  const gasLimit = alreadyOnChain
    ? 0n
    : await estimateGasLimit(
        credits.chain.client,
        { from: credits.chain.treasury.address, to: credits.contract, data },
        { maxGasLimit: credits.chain.settings.maxGasLimit },
      );
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    for (const stale of [existing, sameAddress])
      if (stale) await tx.delete(encryptedAccounts).where(eq(encryptedAccounts.address, stale.address));
    const queued = alreadyOnChain
      ? null
      : await queueTransaction(tx, deps.clock, {
          chainId: credits.chain.client.chainId,
          from: credits.chain.treasury.address,
          to: credits.contract,
          data,
          gasLimit,
          purpose: KEY_REGISTRATION_PURPOSE,
          idempotencyKey: `${KEY_REGISTRATION_PURPOSE}:${address}:${input.key.x}:${now.toISOString()}`,
          metadata: { address },
        });
    const [made] = await tx
      .insert(encryptedAccounts)
      .values({
        address: address.toLowerCase(),
        userId: owner.userId,
        ...owner.role,
        keyX: input.key.x.toString(),
        keyY: input.key.y.toString(),
        state: queued ? 'registering' : 'registered',
        transactionId: queued?.id ?? null,
        createdAt: now,
        registeredAt: queued ? null : now,
      })
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.encrypted_key_registered',
      objectType: 'gateway_encrypted_account',
      objectId: made!.address,
      details: {
        address,
        key_x: input.key.x.toString(),
        role: owner.role.spending ? 'credits' : 'payouts',
      },
    });
    return made!;
  });
}

/** Marks a registration registered once its transaction is confirmed, or failed (it may be made again). */
export function keyRegistrationSettlement(deps: Pick<GatewayDeps, 'clock'>): Flow<Settlement> {
  return defineFlow<Settlement>({
    name: 'gateway.settle_key_registration',
    steps: [
      databaseStep('record', async (tx, { input }) => {
        const confirmed = input.state === 'confirmed';
        const [updated] = await tx
          .update(encryptedAccounts)
          .set(
            confirmed
              ? { state: 'registered', registeredAt: deps.clock.now() }
              : { state: 'failed', failure: `the registration was ${input.state} on chain: register again` },
          )
          .where(
            and(
              eq(encryptedAccounts.transactionId, input.transactionId),
              eq(encryptedAccounts.state, 'registering'),
            ),
          )
          .returning();
        return updated ? { state: updated.state } : null;
      }),
    ],
  });
}
