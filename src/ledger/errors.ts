import { AppError, defineErrors } from '../core/errors';
import { isSuccess, TRANSIENT_RESULTS, type TransferResult, type TransferResultCode } from './types';

/**
 * One mapping from the ledger's results to the API's errors, for every line that moves value: a
 * refused transfer becomes the refusal a client can act on, named for what refused it.
 */
export const ledgerErrors = defineErrors({
  hold_expired: { status: 409, description: 'The hold passed its timeout; what it held is free again' },
  hold_captured: { status: 409, description: 'The hold was captured already' },
  hold_released: { status: 409, description: 'The hold was released already' },
  exceeds_hold: { status: 422, description: 'More was asked of a hold than it holds' },
  account_closed: { status: 409, description: 'An account of the transfer is closed' },
  amount_overflow: { status: 422, description: 'The amount would take a balance past 2^256-1' },
  id_already_failed: {
    status: 409,
    description:
      'This id (idempotency key) names an attempt that failed; it never succeeds later. Use a new one',
  },
});

/** The first result that was not applied: the cause, not the linked events that failed with it. */
export const firstFailure = (
  results: readonly Pick<TransferResult, 'result'>[],
): TransferResultCode | undefined =>
  results.find((r) => r.result !== 'ok' && r.result !== 'exists' && r.result !== 'linked_event_failed')
    ?.result ?? results.find((r) => !isSuccess(r.result))?.result;

/**
 * The error for transfers the ledger refused. `insufficient` words a limit reached
 * (`exceeds_credits`, `exceeds_debits`) in the line's terms, with what was asked and available.
 */
export function ledgerRefusal(
  results: readonly Pick<TransferResult, 'id' | 'result'>[],
  insufficient?: () => AppError,
): AppError {
  const error = refusalFor(results, insufficient);
  const transient = results.filter((r) => TRANSIENT_RESULTS.has(r.result));
  if (transient.length > 0)
    failuresBehind.set(
      error,
      transient.map((r) => ({ id: r.id, result: r.result })),
    );
  return error;
}

/**
 * The ids a refusal's transfers failed with for a transient reason. The caller's transaction rolls
 * back when it throws the refusal, taking the ledger's memory of them along: `keepingFailures`
 * (failures.ts) writes them again once it has.
 */
const failuresBehind = new WeakMap<AppError, readonly { id: string; result: TransferResultCode }[]>();

export const failuresOf = (error: unknown): readonly { id: string; result: TransferResultCode }[] =>
  error instanceof AppError ? (failuresBehind.get(error) ?? []) : [];

function refusalFor(
  results: readonly Pick<TransferResult, 'id' | 'result'>[],
  insufficient?: () => AppError,
): AppError {
  const result = firstFailure(results);
  const details = { result };
  switch (result) {
    case 'exceeds_credits':
    case 'exceeds_debits':
      return insufficient?.() ?? new AppError('insufficient_funds', 'not enough is available', details);
    case 'pending_transfer_expired':
      return ledgerErrors.error('hold_expired', 'the hold has expired', details);
    case 'pending_transfer_already_posted':
      return ledgerErrors.error('hold_captured', 'the hold was captured already', details);
    case 'pending_transfer_already_voided':
      return ledgerErrors.error('hold_released', 'the hold was released already', details);
    case 'exceeds_pending_transfer_amount':
      return ledgerErrors.error('exceeds_hold', 'more was asked than the hold holds', details);
    case 'debit_account_already_closed':
    case 'credit_account_already_closed':
      return ledgerErrors.error('account_closed', 'an account of the transfer is closed', details);
    case 'overflows_debits_pending':
    case 'overflows_credits_pending':
    case 'overflows_debits_posted':
    case 'overflows_credits_posted':
    case 'overflows_debits':
    case 'overflows_credits':
      return ledgerErrors.error('amount_overflow', 'the amount would overflow a balance', details);
    case 'id_already_failed':
      return ledgerErrors.error(
        'id_already_failed',
        'this id was used by an attempt that failed; try again with a new one',
        details,
      );
    case 'debit_account_not_found':
    case 'credit_account_not_found':
    case 'pending_transfer_not_found':
      return new AppError('not_found', `${result.replaceAll('_', ' ')}`, details);
    case undefined:
      return new AppError('internal', 'the ledger refused a transfer without saying why', details);
    default:
      // The transfer's id was used with other terms (an idempotency key reused), or the request was
      // malformed in a way the line should have caught: both are the caller's, not a fault of ours.
      return result.startsWith('exists_with_different')
        ? new AppError('idempotency_conflict', 'this transfer id was used with other terms', details)
        : new AppError('validation_failed', `the ledger refused the transfer: ${result}`, details);
  }
}
