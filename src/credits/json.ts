import { z } from '@hono/zod-openapi';
import type { Invitation } from '../core/access/invitations';
import { Amount, PositiveAmount, SignedAmount } from '../core/amounts';
import type { CreditsProfile, CustomerListItem } from './customers';
import type { Balance } from './engine/balances';
import type { Grant } from './engine/grants';
import type { ActionPrice } from './engine/prices';
import type { Reservation, Usage } from './engine/spending';
import type { IntegrationView } from './integrations';
import type { CatalogueProduct, Product } from './products';
import type { Purchase } from './purchases';
import { productTypes, refillCycles, reservationStates, userTypes } from './schema';
import type { Whitelabel } from './whitelabel';
import type { Workspace } from './workspaces';

/** The credits API's shapes: zod schemas (requests are strict objects) and the JSON of each record. */

export const Uuid = z.uuid();
export const PathId = z.uuid().openapi({ param: { name: 'id', in: 'path' } });

/** Whole credits (the credits ledger's scale is 0), as the core's amounts are. */
export const Credits = Amount.openapi({ example: '100', description: 'whole credits, as a decimal string' });
export const PositiveCredits = PositiveAmount.openapi({
  example: '100',
  description: 'whole credits, more than 0',
});
export const SignedCredits = SignedAmount;
export const MinorUnits = Amount.openapi({
  example: '4900',
  description: 'minor units of the display currency',
});

export const ActionKey = z
  .string()
  .regex(/^[a-z][a-z0-9_.:-]{0,63}$/, 'lower-case letters, digits and _ . : -, starting with a letter')
  .openapi({ example: 'generate_image' });
export const Purpose = z.string().trim().min(1).max(500).openapi({ example: 'post:7f3c' });
export const Timestamp = z.iso.datetime({ offset: true });

/** Stripe's Idempotency-Key, without '#', which the credits line uses in the keys it derives. */
export const IdempotencyKey = z
  .string()
  .regex(/^[!"$-~]{1,200}$/, 'printable ASCII, no spaces or "#", up to 200 characters')
  .openapi({
    description: 'Stripe’s semantics: same key and body, same answer',
    example: 'a8f1c2d4-order-77',
  });

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

export const ProductSchema = z
  .object({
    id: Uuid,
    owner_user_id: Uuid.nullable(),
    type: z.enum(productTypes),
    name: z.string(),
    description: z.string(),
    credits_per_cycle: Credits,
    refill_cycle: z.enum(refillCycles),
    rollover_credits: Credits,
    permissions: z.array(z.string()),
    display_price: z.object({ amount_minor: MinorUnits, currency: z.string() }),
    active: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('CreditsProduct');

export const productJson = (p: Product) => ({
  id: p.id,
  owner_user_id: p.ownerUserId,
  type: p.type,
  name: p.name,
  description: p.description,
  credits_per_cycle: p.creditsPerCycle.toString(),
  refill_cycle: p.refillCycle,
  rollover_credits: p.rolloverCredits.toString(),
  permissions: p.permissions,
  display_price: { amount_minor: p.displayPriceMinor.toString(), currency: p.displayCurrency },
  active: p.active,
  created_at: p.createdAt.toISOString(),
  updated_at: p.updatedAt.toISOString(),
});

export const CatalogueProductSchema = z
  .object({
    id: Uuid,
    type: z.enum(productTypes),
    name: z.string(),
    description: z.string(),
    credits_per_cycle: Credits,
    refill_cycle: z.enum(refillCycles),
    rollover_credits: Credits,
    permissions: z.array(z.object({ action: z.string(), label: z.string() })),
    display_price: z.object({ amount_minor: MinorUnits, currency: z.string() }),
  })
  .openapi('CreditsCatalogueProduct');

export const catalogueProductJson = ({ product: p, permissions }: CatalogueProduct) => ({
  id: p.id,
  type: p.type,
  name: p.name,
  description: p.description,
  credits_per_cycle: p.creditsPerCycle.toString(),
  refill_cycle: p.refillCycle,
  rollover_credits: p.rolloverCredits.toString(),
  permissions,
  display_price: { amount_minor: p.displayPriceMinor.toString(), currency: p.displayCurrency },
});

export const PurchaseSchema = z
  .object({
    id: Uuid,
    source: z.enum(['webhook', 'admin']),
    integration_id: Uuid.nullable(),
    order_id: z.string(),
    email: z.string(),
    product_id: Uuid,
    user_id: Uuid,
    registered: z.boolean(),
    created_at: z.string(),
  })
  .openapi('CreditsPurchase');

export const purchaseJson = (p: Purchase) => ({
  id: p.id,
  source: p.source,
  integration_id: p.integrationId,
  order_id: p.orderId,
  email: p.email,
  product_id: p.productId,
  user_id: p.userId,
  registered: p.registered,
  created_at: p.createdAt.toISOString(),
});

export const IntegrationSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    active: z.boolean(),
    created_at: z.string(),
    last_used_at: z.string().nullable(),
  })
  .openapi('CreditsIntegration');

export const integrationJson = (i: IntegrationView) => ({
  id: i.id,
  name: i.name,
  active: i.active,
  created_at: i.createdAt.toISOString(),
  last_used_at: iso(i.lastUsedAt),
});

export const BalanceSchema = z
  .object({
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    total: Credits,
    used: Credits,
    reserved: Credits,
    available: Credits,
    refilled_at: z.string().nullable(),
    next_refill_at: z.string().nullable(),
  })
  .openapi('CreditsBalance');

export const balanceJson = (b: Balance, userId: string, workspaceId: string | null) => ({
  user_id: userId,
  workspace_id: workspaceId,
  total: b.total.toString(),
  used: b.used.toString(),
  reserved: b.reserved.toString(),
  available: b.available.toString(),
  refilled_at: iso(b.refilledAt),
  next_refill_at: iso(b.nextRefillAt),
});

export const UsageSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    used_for: z.string(),
    action: z.string().nullable(),
    amount: Credits,
    is_reserved: z.boolean(),
    reservation_id: Uuid.nullable(),
    reserved_for: z.string().nullable().openapi({ description: 'what the credits were reserved for' }),
    paid_by: z.array(z.object({ grant_id: Uuid, amount: Credits })),
    used_at: z.string(),
  })
  .openapi('CreditsUsage');

export const usageJson = (u: Usage) => ({
  id: u.id,
  user_id: u.userId,
  workspace_id: u.workspaceId,
  used_for: u.usedFor,
  action: u.action,
  amount: u.amount.toString(),
  is_reserved: u.isReserved,
  reservation_id: u.reservationId,
  reserved_for: u.reservedFor,
  paid_by: u.paidBy.map((p) => ({ grant_id: p.grantId, amount: p.amount.toString() })),
  used_at: u.usedAt.toISOString(),
});

export const ReservationSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    reserved_for: z.string(),
    action: z.string().nullable(),
    amount: Credits,
    used_amount: Credits,
    state: z.enum(reservationStates),
    expires_at: z.string().nullable(),
    created_at: z.string(),
    finished_at: z.string().nullable(),
  })
  .openapi('CreditsReservation');

export const reservationJson = (r: Reservation) => ({
  id: r.id,
  user_id: r.userId,
  workspace_id: r.workspaceId,
  reserved_for: r.reservedFor,
  action: r.action,
  amount: r.amount.toString(),
  used_amount: r.usedAmount.toString(),
  state: r.state,
  expires_at: iso(r.expiresAt),
  created_at: r.createdAt.toISOString(),
  finished_at: iso(r.finishedAt),
});

export const GrantSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    workspace_id: Uuid.nullable(),
    source: z.string(),
    amount: Credits,
    remaining: Credits,
    priority: z.number().int(),
    expires_at: z.string().nullable(),
    reason: z.string().nullable(),
    product_id: Uuid.nullable(),
    holding_id: Uuid.nullable(),
    created_at: z.string(),
  })
  .openapi('CreditsGrant');

export const grantJson = (g: Grant) => ({
  id: g.id,
  user_id: g.userId,
  workspace_id: g.workspaceId,
  source: g.source,
  amount: g.amount.toString(),
  remaining: g.remaining.toString(),
  priority: g.priority,
  expires_at: iso(g.expiresAt),
  reason: g.reason,
  product_id: g.productId,
  holding_id: g.holdingId,
  created_at: g.createdAt.toISOString(),
});

export const ActionPriceSchema = z
  .object({
    action: z.string(),
    label: z.string(),
    price: Credits,
    built_in: z.boolean(),
    updated_at: z.string(),
  })
  .openapi('CreditsActionPrice');

export const actionPriceJson = (p: ActionPrice) => ({
  action: p.action,
  label: p.label,
  price: p.price.toString(),
  built_in: p.builtIn,
  updated_at: p.updatedAt.toISOString(),
});

export const WorkspaceSchema = z
  .object({
    id: Uuid,
    name: z.string(),
    billing_user_id: Uuid,
    my_role: z.string().nullable(),
    reserved: Credits.openapi({ description: 'what is left of the credits reserved for its activity' }),
    archived_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('CreditsWorkspace');

export const workspaceJson = (w: Workspace) => ({
  id: w.id,
  name: w.name,
  billing_user_id: w.billingUserId,
  my_role: w.role,
  reserved: w.reserved.toString(),
  archived_at: iso(w.archivedAt),
  created_at: w.createdAt.toISOString(),
});

export const InvitationSchema = z.object({
  id: Uuid,
  organization_id: Uuid,
  email: z.string(),
  role: z.string(),
  state: z.string(),
  expires_at: z.string(),
});

export const invitationJson = (i: Invitation) => ({
  id: i.id,
  organization_id: i.organizationId,
  email: i.email,
  role: i.role,
  state: i.state,
  expires_at: i.expiresAt.toISOString(),
});

export const ProfileSchema = z
  .object({
    user_id: Uuid,
    email: z.string().nullable(),
    name: z.string(),
    type: z.enum(userTypes).nullable(),
    reseller_user_id: Uuid.nullable(),
    onboarded_at: z.string().nullable(),
    permissions: z.array(z.string()),
    holdings: z.array(
      z.object({
        id: Uuid,
        product_id: Uuid,
        product_name: z.string(),
        product_type: z.enum(productTypes),
        purchase_id: Uuid,
        refilled_at: z.string(),
        next_refill_at: z.string().nullable(),
        active: z.boolean(),
      }),
    ),
    balance: BalanceSchema,
  })
  .openapi('CreditsProfile');

export const profileJson = (p: CreditsProfile) => ({
  user_id: p.userId,
  email: p.email,
  name: p.name,
  type: p.type,
  reseller_user_id: p.resellerUserId,
  onboarded_at: iso(p.onboardedAt),
  permissions: p.permissions,
  holdings: p.holdings.map((h) => ({
    id: h.id,
    product_id: h.productId,
    product_name: h.productName,
    product_type: h.productType,
    purchase_id: h.purchaseId,
    refilled_at: h.refilledAt.toISOString(),
    next_refill_at: iso(h.nextRefillAt),
    active: h.active,
  })),
  balance: balanceJson(p.balance, p.userId, null),
});

export const CustomerSchema = z
  .object({
    user_id: Uuid,
    email: z.string().nullable(),
    name: z.string(),
    type: z.enum(userTypes),
    reseller_user_id: Uuid.nullable(),
    onboarded_at: z.string().nullable(),
    created_at: z.string(),
    balance: BalanceSchema,
  })
  .openapi('CreditsCustomer');

export const customerJson = (c: CustomerListItem) => ({
  user_id: c.userId,
  email: c.email,
  name: c.name,
  type: c.type,
  reseller_user_id: c.resellerUserId,
  onboarded_at: iso(c.onboardedAt),
  created_at: c.createdAt.toISOString(),
  balance: balanceJson(c.balance, c.userId, null),
});

export const WhitelabelSchema = z
  .object({
    id: Uuid,
    user_id: Uuid,
    domain: z.string(),
    cname_target: z.string().openapi({ description: 'the host the domain’s CNAME record must point to' }),
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
  dns_verified_at: iso(w.dnsVerifiedAt),
  last_checked_at: iso(w.lastCheckedAt),
  created_at: w.createdAt.toISOString(),
  updated_at: w.updatedAt.toISOString(),
});
