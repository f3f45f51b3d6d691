import { z } from '@hono/zod-openapi';
import type { PersonName } from '../../core/auth/names';
import type { ActionPrice } from '../engine/prices';
import { Credits, MinorUnits, Uuid } from '../fields';
import { productTypes, refillCycles } from '../schema';
import type { CatalogueProduct, Product } from './service';

/** The JSON of products, the public catalogue and action prices: the zod schemas routes answer with, and each record as JSON. */
export const ProductSchema = z
  .object({
    id: Uuid,
    owner_user_id: Uuid.nullable(),
    owner: z
      .object({ name: z.string(), email: z.string().nullable() })
      .nullable()
      .openapi({ description: 'the reseller who made an under-whitelabel product, by name' }),
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

export const productJson = (p: Product, names: ReadonlyMap<string, PersonName> = new Map()) => ({
  id: p.id,
  owner_user_id: p.ownerUserId,
  owner: p.ownerUserId ? (names.get(p.ownerUserId) ?? null) : null,
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
