import { getAddress, isAddress } from 'viem';
import { AppError } from '../core/errors';

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
