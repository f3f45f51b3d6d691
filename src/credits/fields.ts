import { z } from '@hono/zod-openapi';
import { Amount, PositiveAmount, SignedAmount } from '../core/amounts';

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

export const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;
