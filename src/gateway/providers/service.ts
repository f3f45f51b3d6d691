import { and, asc, eq, sql } from 'drizzle-orm';
import { walletAddressOf } from '../../chain/address';
import { type Actor, requireUser } from '../../core/actor';
import { recordAudit } from '../../core/audit/service';
import { type Db, queryRows } from '../../core/database';
import { AppError, notFound } from '../../core/errors';
import { files } from '../../core/files/schema';
import { isUuid, newId } from '../../core/ids';
import { notify } from '../../core/notifications/service';
import type { GatewayDeps } from '../deps';
import { gatewayErrors } from '../errors';
import { GATEWAY_NOTIFICATIONS } from '../notifications';
import { type KycDocumentKind, type KycState, kycDocuments, providers } from '../schema';
import { kycMachine } from './kyc';

export type Provider = typeof providers.$inferSelect;
export type KycDocument = typeof kycDocuments.$inferSelect & {
  name: string;
  contentType: string;
  size: number;
};

export interface ProviderInput {
  name: string;
  payoutAddress: string;
}

/** A payout address as the gateway keeps it (lower case), or a refusal naming the field. */
export const payoutAddressOf = (value: string, field = 'payout_address'): string =>
  walletAddressOf(value, field);

/** The caller's provider, or null when they are not one. */
export async function findOwnProvider(db: Db, actor: Actor): Promise<Provider | null> {
  const userId = requireUser(actor);
  const [provider] = await db.select().from(providers).where(eq(providers.userId, userId));
  return provider ?? null;
}

/** The caller's provider, or `provider_required`. */
export async function requireOwnProvider(db: Db, actor: Actor): Promise<Provider> {
  const provider = await findOwnProvider(db, actor);
  if (!provider) throw gatewayErrors.error('provider_required', 'register as a provider first');
  return provider;
}

/** Makes the caller a provider: their name towards consumers, and where their earnings are paid. */
export async function registerProvider(
  deps: GatewayDeps,
  actor: Actor,
  input: ProviderInput,
): Promise<Provider> {
  const userId = requireUser(actor);
  const payoutAddress = payoutAddressOf(input.payoutAddress);
  return deps.db.transaction(async (tx) => {
    const now = deps.clock.now();
    const [made] = await tx
      .insert(providers)
      .values({ id: newId(), userId, name: input.name, payoutAddress, createdAt: now, updatedAt: now })
      .onConflictDoNothing()
      .returning();
    if (!made) throw gatewayErrors.error('provider_exists', 'you are a provider already');
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.provider_registered',
      objectType: 'gateway_provider',
      objectId: made.id,
      details: { name: made.name, payout_address: payoutAddress },
    });
    return made;
  });
}

/** Changes the caller's provider name or payout address (a new address is audited: payouts follow it). */
export async function updateProvider(
  deps: GatewayDeps,
  actor: Actor,
  input: Partial<ProviderInput>,
): Promise<Provider> {
  const payoutAddress = input.payoutAddress === undefined ? undefined : payoutAddressOf(input.payoutAddress);
  return deps.db.transaction(async (tx) => {
    const provider = await requireOwnProvider(tx, actor);
    const [updated] = await tx
      .update(providers)
      .set({
        name: input.name ?? provider.name,
        payoutAddress: payoutAddress ?? provider.payoutAddress,
        updatedAt: deps.clock.now(),
      })
      .where(eq(providers.id, provider.id))
      .returning();
    if (payoutAddress && payoutAddress !== provider.payoutAddress) {
      await recordAudit(tx, deps.clock, actor, {
        action: 'gateway.payout_address_changed',
        objectType: 'gateway_provider',
        objectId: provider.id,
        details: { from: provider.payoutAddress, to: payoutAddress },
      });
    }
    return updated!;
  });
}

/** A provider by id, for administrators (any) and its own person. */
export async function getProvider(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  id: string,
): Promise<Provider> {
  requireUser(actor);
  if (!isUuid(id)) throw notFound('provider', { id });
  const [provider] = await deps.db.select().from(providers).where(eq(providers.id, id));
  if (!provider || (!actor.isAdmin && provider.userId !== actor.userId)) throw notFound('provider', { id });
  return provider;
}

/** The documents a provider submitted for KYC, oldest first. */
export async function listKycDocuments(db: Db, providerId: string): Promise<KycDocument[]> {
  const rows = await db
    .select({
      providerId: kycDocuments.providerId,
      fileId: kycDocuments.fileId,
      kind: kycDocuments.kind,
      addedAt: kycDocuments.addedAt,
      name: files.name,
      contentType: files.contentType,
      size: files.size,
    })
    .from(kycDocuments)
    .innerJoin(files, eq(files.id, kycDocuments.fileId))
    .where(eq(kycDocuments.providerId, providerId))
    .orderBy(asc(kycDocuments.addedAt), asc(kycDocuments.fileId));
  return rows;
}

/** While documents can be added or removed: before submitting, or after a rejection. */
const EDITABLE_KYC: readonly KycState[] = ['none', 'rejected'];

function requireEditableKyc(provider: Provider): void {
  if (!EDITABLE_KYC.includes(provider.kycState)) throw kycMachine.refusal(provider.kycState, 'submitted');
}

/** Attaches one of the caller's uploads (`POST /api/files`) to their KYC. */
export async function addKycDocument(
  deps: GatewayDeps,
  actor: Actor,
  input: { fileId: string; kind: KycDocumentKind },
): Promise<KycDocument[]> {
  return deps.db.transaction(async (tx) => {
    const provider = await lockOwnProvider(tx, actor);
    requireEditableKyc(provider);
    const [file] = isUuid(input.fileId)
      ? await tx
          .select({ id: files.id })
          .from(files)
          .where(and(eq(files.id, input.fileId), eq(files.ownerUserId, provider.userId)))
      : [];
    if (!file) throw notFound('file', { id: input.fileId, field: 'file_id' });
    await tx
      .insert(kycDocuments)
      .values({ providerId: provider.id, fileId: file.id, kind: input.kind, addedAt: deps.clock.now() })
      .onConflictDoUpdate({
        target: [kycDocuments.providerId, kycDocuments.fileId],
        set: { kind: input.kind },
      });
    return listKycDocuments(tx, provider.id);
  });
}

export async function removeKycDocument(
  deps: GatewayDeps,
  actor: Actor,
  fileId: string,
): Promise<KycDocument[]> {
  return deps.db.transaction(async (tx) => {
    const provider = await lockOwnProvider(tx, actor);
    requireEditableKyc(provider);
    const removed = isUuid(fileId)
      ? await tx
          .delete(kycDocuments)
          .where(and(eq(kycDocuments.providerId, provider.id), eq(kycDocuments.fileId, fileId)))
          .returning()
      : [];
    if (removed.length === 0) throw notFound('KYC document', { id: fileId });
    return listKycDocuments(tx, provider.id);
  });
}

/** Sends the caller's documents for review. */
export async function submitKyc(deps: GatewayDeps, actor: Actor): Promise<Provider> {
  return deps.db.transaction(async (tx) => {
    const provider = await lockOwnProvider(tx, actor);
    const state = kycMachine.move(provider.kycState, 'submitted');
    if ((await listKycDocuments(tx, provider.id)).length === 0)
      throw gatewayErrors.error('kyc_documents_missing', 'add at least one document before submitting');
    const now = deps.clock.now();
    const [updated] = await tx
      .update(providers)
      .set({ kycState: state, kycSubmittedAt: now, updatedAt: now })
      .where(eq(providers.id, provider.id))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: 'gateway.kyc_submitted',
      objectType: 'gateway_provider',
      objectId: provider.id,
    });
    // Administrators learn there is something to review, rather than watching the queue.
    const admins = await queryRows<{ id: string }>(
      tx,
      sql`SELECT id FROM core_users WHERE is_admin AND id <> ${provider.userId} ORDER BY created_at LIMIT 50`,
    );
    for (const admin of admins) {
      await notify(
        tx,
        { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
        {
          userId: admin.id,
          type: GATEWAY_NOTIFICATIONS.kycSubmitted,
          title: `${provider.name} sent KYC documents for review`,
          link: `/gateway/admin/providers/${provider.id}`,
          dedupeKey: `kyc_submitted:${provider.id}:${now.toISOString()}`,
        },
      );
    }
    return updated!;
  });
}

/** An administrator's decision on submitted documents; the provider is told either way. */
export async function reviewKyc(
  deps: GatewayDeps,
  actor: Actor,
  providerId: string,
  input: { decision: 'approved' | 'rejected'; note?: string },
): Promise<Provider> {
  if (!actor.isAdmin) throw new AppError('forbidden', 'only an administrator reviews KYC');
  if (input.decision === 'rejected' && !input.note?.trim())
    throw new AppError(
      'validation_failed',
      'say why the documents are rejected, so the provider can fix them',
      {
        field: 'note',
      },
    );
  return deps.db.transaction(async (tx) => {
    await getProvider({ db: tx }, actor, providerId);
    const [provider] = await tx.select().from(providers).where(eq(providers.id, providerId)).for('update');
    // Four eyes where there are four: another administrator reviews a provider who is an administrator.
    if (provider!.userId === actor.userId) {
      const [others] = await queryRows<{ n: number }>(
        tx,
        sql`SELECT count(*)::int AS n FROM core_users WHERE is_admin AND id <> ${actor.userId}`,
      );
      if ((others?.n ?? 0) > 0)
        throw gatewayErrors.error(
          'kyc_own_review',
          'another administrator reviews your own KYC: you may not decide on your own documents',
        );
    }
    const state = kycMachine.move(provider!.kycState, input.decision);
    const now = deps.clock.now();
    const [updated] = await tx
      .update(providers)
      .set({
        kycState: state,
        kycReviewedAt: now,
        kycReviewedBy: actor.userId,
        kycNote: input.note?.trim() || null,
        updatedAt: now,
      })
      .where(eq(providers.id, providerId))
      .returning();
    await recordAudit(tx, deps.clock, actor, {
      action: `gateway.kyc_${state}`,
      objectType: 'gateway_provider',
      objectId: providerId,
      details: {
        ...(input.note ? { note: input.note } : {}),
        // The sole administrator reviewing their own provider: no one else could.
        ...(provider!.userId === actor.userId ? { own_review: true } : {}),
      },
    });
    await notify(
      tx,
      { clock: deps.clock, types: deps.notificationTypes, publicUrl: deps.publicUrl },
      {
        userId: updated!.userId,
        type: GATEWAY_NOTIFICATIONS.kycReviewed,
        title:
          state === 'approved'
            ? 'Your KYC is approved: you can claim your earnings'
            : 'Your KYC documents were rejected',
        body:
          state === 'approved'
            ? input.note?.trim()
            : `Reason: ${input.note!.trim()} Upload corrected documents and submit them again.`,
        link: '/gateway/provider',
        dedupeKey: `kyc:${providerId}:${now.toISOString()}`,
      },
    );
    return updated!;
  });
}

/** Providers for administrators, those waiting for review first (oldest submission first). */
export async function listProviders(
  deps: Pick<GatewayDeps, 'db'>,
  actor: Actor,
  filter: { kycState?: KycState } = {},
): Promise<Provider[]> {
  if (!actor.isAdmin) throw new AppError('forbidden', 'only an administrator lists providers');
  return deps.db
    .select()
    .from(providers)
    .where(filter.kycState ? eq(providers.kycState, filter.kycState) : undefined)
    .orderBy(sql`${providers.kycSubmittedAt} ASC NULLS LAST`, asc(providers.createdAt))
    .limit(500);
}

async function lockOwnProvider(tx: Db, actor: Actor): Promise<Provider> {
  const userId = requireUser(actor);
  const [provider] = await tx.select().from(providers).where(eq(providers.userId, userId)).for('update');
  if (!provider) throw gatewayErrors.error('provider_required', 'register as a provider first');
  return provider;
}
