import { z } from '@hono/zod-openapi';
import { iso, Uuid } from '../fields';
import { productTypes, userTypes } from '../schema';
import { BalanceSchema, balanceJson } from '../spending/json';
import { type CreditsProfile, type CustomerListItem, firstLogins } from './customers';

/** The JSON of a person's credits profile and the administrators' list of people: the zod schemas routes answer with, and each record as JSON. */
export const ProfileSchema = z
  .object({
    user_id: Uuid,
    email: z.string().nullable(),
    name: z.string(),
    type: z.enum(userTypes).nullable(),
    reseller_user_id: Uuid.nullable(),
    onboarded_at: z.string().nullable(),
    first_login: z.enum(firstLogins).openapi({
      description:
        'done; waiting (a purchase made the account and mailed a temporary password); not_needed (they made their own account)',
    }),
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
  first_login: p.firstLogin,
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
    first_login: z.enum(firstLogins).openapi({
      description:
        'done; waiting (a purchase made the account and mailed a temporary password); not_needed (they made their own account)',
    }),
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
  first_login: c.firstLogin,
  created_at: c.createdAt.toISOString(),
  balance: balanceJson(c.balance, c.userId, null),
});
