import { type ApiError, asApiError, sentence } from '../../../api/errors';
import { nextStepFor as commonNextStep, showServerErrors } from '../../../lib/serverErrors';
import type { Refusal } from './RefusalAlert';

interface FormWithErrors {
  values: object;
  setFieldError: (path: string, message: string) => void;
}

/** Where some refusals lead: the page that fixes them, the app's own (log in again) or the gateway's. */
function nextStepFor(error: ApiError): Refusal['next'] {
  const common = commonNextStep(error);
  if (common) return common;
  switch (error.code) {
    case 'wallet_not_linked':
      return { to: '/wallet', label: 'Link a wallet on the Wallet page.' };
    case 'provider_required':
      return { to: '/gateway/provider', label: 'Become a provider first.' };
    case 'insufficient_credits':
      return { to: '/gateway/deposit', label: 'Deposit USDC.' };
    case 'kyc_not_approved':
      return { to: '/gateway/provider/kyc', label: 'See your KYC.' };
    default:
      return undefined;
  }
}

/**
 * Puts each server error next to its field (as `showServerErrors` does; `fields` renames the API's
 * field to the form's, `value` → `amount`), in a sentence, and returns what is left for above the
 * button with its next step — or null when every error found its field. What was typed is kept.
 */
export function placeServerErrors(
  form: FormWithErrors,
  thrown: unknown,
  fields: Record<string, string> = {},
): Refusal | null {
  const error = asApiError(thrown);
  let placed = 0;
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    const target = fields[path] ?? path;
    if (target.split('.')[0]! in form.values) {
      form.setFieldError(target, sentence(message));
      placed += 1;
    }
  }
  if (placed > 0) return null;
  return {
    message: sentence(showServerErrors({ values: {}, setFieldError: () => {} }, error) ?? error.message),
    next: nextStepFor(error),
  };
}

/** A refusal of an action without a form (a button), in a sentence with its next step. */
export function refusalOf(thrown: unknown): Refusal {
  return placeServerErrors({ values: {}, setFieldError: () => {} }, thrown)!;
}
