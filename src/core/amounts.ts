import { z } from '@hono/zod-openapi';
import { customType } from 'drizzle-orm/pg-core';
import { UINT256_MAX } from './money';

/**
 * Amounts, one way everywhere: minor units as `bigint` in code, `numeric(78,0)` in SQL (any uint256:
 * an 18-decimal token overflows `bigint` past 9.2 tokens), and a decimal string of minor units in
 * JSON, beside the asset it counts.
 */

/** An amount column: numeric(78,0), read and written as bigint. */
export const amountColumn = customType<{ data: bigint; driverData: string }>({
  dataType: () => 'numeric(78, 0)',
  toDriver: (value) => value.toString(),
  fromDriver: (value) => BigInt(value),
});

const WHOLE_NUMBER = /^(0|[1-9]\d{0,77})$/;
const SIGNED_WHOLE_NUMBER = /^-?[1-9]\d{0,77}$/;
const withinUint256 = (value: string) => BigInt(value.replace('-', '')) <= UINT256_MAX;

/** A whole number of minor units, 0 to 2^256-1, as a decimal string. */
export const Amount = z
  .string()
  .regex(WHOLE_NUMBER, 'must be a whole number of minor units, as a decimal string')
  .refine((value) => !WHOLE_NUMBER.test(value) || withinUint256(value), 'must not exceed 2^256-1')
  .openapi({ example: '1250000', description: 'minor units of the asset, as a decimal string' });

export const PositiveAmount = Amount.refine((value) => value !== '0', 'must be more than 0');

/** A change of an amount, up or down, never 0. */
export const SignedAmount = z
  .string()
  .regex(SIGNED_WHOLE_NUMBER, 'must be a whole number other than 0, as a decimal string')
  .refine((value) => !SIGNED_WHOLE_NUMBER.test(value) || withinUint256(value), 'must not exceed 2^256-1')
  .openapi({ example: '-25' });
