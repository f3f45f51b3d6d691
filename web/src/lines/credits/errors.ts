import { type ApiError, asApiError } from '../../api/errors';
import { type FormProblem, type NextStep, problemOf, showServerErrors } from '../../lib/serverErrors';
import { formatCredits } from './format';

/** "Not enough credits", with what was needed and what is available, when the server said so. */
function insufficientCredits(thrown: unknown): string | null {
  const error = asApiError(thrown);
  if (error.code !== 'insufficient_funds') return null;
  const details = (error.details ?? {}) as { available?: unknown; requested?: unknown };
  if (typeof details.available !== 'string' || typeof details.requested !== 'string') return error.message;
  return (
    `Not enough credits: this needs ${formatCredits(details.requested)} and ` +
    `${formatCredits(details.available)} ${details.available === '1' ? 'is' : 'are'} available.`
  );
}

/** Like showServerErrors, and words a lack of credits plainly when no field took the error. */
export function showCreditsErrors(
  form: Parameters<typeof showServerErrors>[0],
  thrown: unknown,
): string | null {
  const rest = showServerErrors(form, thrown);
  return rest === null ? null : (insufficientCredits(thrown) ?? rest);
}

/** What fixes a person's own lack of credits or of an action: a product that gives them. */
function creditsNextStep(error: ApiError): NextStep | undefined {
  return error.code === 'insufficient_funds' || error.code === 'action_not_in_products'
    ? { to: '/credits/products', label: 'See the products that give credits.' }
    : undefined;
}

/** Like showCreditsErrors, with the next step: a product to buy, the log-in, the Mailbox. */
export function creditsProblem(
  form: Parameters<typeof showServerErrors>[0],
  thrown: unknown,
): FormProblem | null {
  const problem = problemOf(form, thrown, creditsNextStep);
  if (problem === null) return null;
  return { ...problem, message: insufficientCredits(thrown) ?? problem.message };
}
