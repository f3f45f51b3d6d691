import { z } from '@hono/zod-openapi';
import { getAddress, isAddress } from 'viem';
import { AppError } from '../core/errors';

/** An EVM address as the API takes it: 0x and 40 hex digits, in any case. */
export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'must be a 0x address of 40 hex digits')
  .openapi({ example: '0x70997970c51812dc3a010c7d01b50e0d17dc79c8' });

/** A checksummed-or-lower-case 0x address, kept lower case; anything else is refused naming the field. */
export function walletAddressOf(value: string, field: string): string {
  if (!isAddress(value, { strict: false }))
    throw new AppError(
      'validation_failed',
      `the ${field.replaceAll('_', ' ')} must be a 0x address of 40 hex digits`,
      {
        field,
      },
    );
  return getAddress(value).toLowerCase();
}
