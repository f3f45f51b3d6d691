import { z } from '@hono/zod-openapi';
import { AppError } from '../../core/errors';
import { formatAmount, parseAmount } from '../../core/money';
import { iso, Uuid } from '../fields';
import { packagingUnits } from '../schema';
import type { ProductFields, ProductVersion, ProductView } from './service';

/** Decimals people type (2.99, 7, 0.5) read exactly: never through a floating-point number. */
export const Decimal = (max: number) =>
  z
    .string()
    .trim()
    .regex(
      new RegExp(`^\\d{1,9}(\\.\\d{1,${max}})?$`),
      `a number with at most ${max} decimals, as text (2.5)`,
    );

export const ProductInput = z.strictObject({
  name: z.string().max(200),
  code: z.string().max(60).openapi({ description: 'the producer’s own reference for it' }),
  description: z.string().max(5000).default(''),
  categories: z.array(z.string().max(60)).max(20).default([]),
  unit: z.enum(packagingUnits),
  amount_per_package: Decimal(3).openapi({ description: 'how much one package holds, in the unit (0.5 kg)' }),
  packages: z.number().int().min(1).max(10_000).default(1),
  estimate: z
    .boolean()
    .default(false)
    .openapi({ description: 'sold by weight: the bill follows what is weighed' }),
  maximum_available: z.number().int().min(0).max(1_000_000).nullable().default(null),
  price: Decimal(2).openapi({
    description: 'the producer’s price for one unit, before margin and VAT (2.99)',
  }),
  vat_percent: Decimal(2).openapi({ description: '7, or 2.5' }),
  margin_percent: Decimal(2)
    .nullable()
    .default(null)
    .openapi({ description: 'the club’s margin; none when null' }),
  origin: z.string().max(200).nullable().default(null),
  ingredients: z.string().max(5000).nullable().default(null),
});

export const ProductChanges = ProductInput.partial().strict();

/** A decimal as exact integer units of `scale` decimals, its field named when it does not fit. */
export function exact(text: string, scale: number, field: string): bigint {
  try {
    return parseAmount(text, scale);
  } catch {
    throw new AppError('validation_failed', `${field}: ${text} has more than ${scale} decimals`, { field });
  }
}

type Input = z.infer<typeof ProductChanges>;

/** The API's fields as the service's exact ones; what is absent stays absent. */
export function productFields(body: Input): Partial<ProductFields> {
  const rate = (text: string | null | undefined, field: string) =>
    text === undefined ? undefined : text === null ? null : Number(exact(text, 2, field));
  return {
    name: body.name,
    code: body.code,
    description: body.description,
    categories: body.categories,
    unit: body.unit,
    amountPerPackage:
      body.amount_per_package === undefined
        ? undefined
        : exact(body.amount_per_package, 3, 'amount_per_package'),
    packages: body.packages,
    estimate: body.estimate,
    maximumAvailable: body.maximum_available,
    priceCents: body.price === undefined ? undefined : exact(body.price, 2, 'price'),
    vatBasisPoints: rate(body.vat_percent, 'vat_percent') ?? undefined,
    marginBasisPoints: rate(body.margin_percent, 'margin_percent'),
    origin: body.origin,
    ingredients: body.ingredients,
  };
}

const VersionSchema = z.object({
  version: z.number().int(),
  name: z.string(),
  code: z.string(),
  description: z.string(),
  categories: z.array(z.string()),
  unit: z.enum(packagingUnits),
  amount_per_package: z.string().openapi({ description: 'in the unit, exact (0.500)' }),
  packages: z.number().int(),
  estimate: z.boolean(),
  maximum_available: z.number().int().nullable(),
  price_cents: z.string().openapi({ description: 'the producer’s price for one unit, in cents' }),
  vat_basis_points: z.number().int().openapi({ description: '7 % is 700' }),
  margin_basis_points: z.number().int().nullable(),
  origin: z.string().nullable(),
  ingredients: z.string().nullable(),
  created_by: Uuid,
  created_at: z.string(),
});

export const versionJson = (v: ProductVersion) => ({
  version: v.version,
  name: v.name,
  code: v.code,
  description: v.description,
  categories: v.categories,
  unit: v.unit,
  amount_per_package: formatAmount(v.amountPerPackage, 3),
  packages: v.packages,
  estimate: v.estimate,
  maximum_available: v.maximumAvailable,
  price_cents: v.priceCents.toString(),
  vat_basis_points: v.vatBasisPoints,
  margin_basis_points: v.marginBasisPoints,
  origin: v.origin,
  ingredients: v.ingredients,
  created_by: v.createdBy,
  created_at: v.createdAt.toISOString(),
});

export const ProductSchema = VersionSchema.extend({
  id: Uuid,
  producer_id: Uuid,
  producer_name: z.string(),
  club_id: Uuid,
  archived_at: z.string().nullable(),
  member_price_cents: z.string().openapi({
    description:
      'what a member pays for one unit: price × (1 + margin) × (1 + VAT), rounded half-up (src/coop/README.md)',
  }),
}).openapi('CoopProduct');

export const productJson = (p: ProductView) => ({
  ...versionJson(p.current),
  id: p.id,
  producer_id: p.producerId,
  producer_name: p.producerName,
  club_id: p.clubId,
  archived_at: iso(p.archivedAt),
  member_price_cents: p.memberPriceCents.toString(),
});

export const ProductWithHistorySchema = z
  .object({ product: ProductSchema, versions: z.array(VersionSchema) })
  .openapi('CoopProductWithHistory');
