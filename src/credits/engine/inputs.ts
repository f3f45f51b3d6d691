import { AppError } from '../../core/errors';
import { isUuid } from '../../core/ids';

/**
 * Checks the engine makes on what it is given. Routes validate with zod first; these keep a caller
 * that skips them (a job, the CLI, a test) from writing nonsense.
 */

export function requirePositive(amount: bigint, field = 'amount'): bigint {
  if (typeof amount !== 'bigint' || amount <= 0n) {
    throw new AppError('validation_failed', `${field} must be a whole number of credits above 0`, { field });
  }
  return amount;
}

export function requireUuid(value: string, field: string): string {
  if (!isUuid(value)) throw new AppError('validation_failed', `${field} must be a UUID`, { field });
  return value.toLowerCase();
}

export function optionalUuid(value: string | null | undefined, field: string): string | null {
  return value === null || value === undefined ? null : requireUuid(value, field);
}

export function requireText(value: string, field: string, maxLength = 500): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed === '' || trimmed.length > maxLength) {
    throw new AppError('validation_failed', `${field} must be 1 to ${maxLength} characters`, { field });
  }
  return trimmed;
}

export function optionalText(
  value: string | null | undefined,
  field: string,
  maxLength = 200,
): string | null {
  return value === null || value === undefined ? null : requireText(value, field, maxLength);
}

/**
 * An idempotency key as the line stores it: a client's (at most 255 characters, as Stripe bounds
 * it, checked at the route) with the prefix the line namespaces it by, such as a workspace's.
 */
export const optionalKey = (value: string | null | undefined): string | null =>
  optionalText(value, 'idempotencyKey', 400);

/** Seconds from now until `at`, rounded up: the ledger's hold timeouts are whole seconds. */
export function secondsUntil(at: Date, now: Date, field = 'expiresAt'): number {
  const seconds = Math.ceil((at.getTime() - now.getTime()) / 1000);
  if (!Number.isFinite(seconds) || seconds < 1) {
    throw new AppError('validation_failed', `${field} must be in the future`, { field });
  }
  if (seconds > 2 ** 31 - 1) throw new AppError('validation_failed', `${field} is too far away`, { field });
  return seconds;
}
