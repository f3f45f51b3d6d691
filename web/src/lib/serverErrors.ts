import { type ApiError, asApiError, reasonOf } from '../api/errors';
import { withNext } from '../session/nextPath';

interface FormWithErrors {
  values: object;
  setFieldError: (path: string, message: string) => void;
}

/** Where a refusal leads: the page that fixes it, as a link (UI.md: errors come with the next step). */
export interface NextStep {
  to: string;
  label: string;
}

/** What a form shows above its button when the server refused: a sentence, and its next step. */
export interface FormProblem {
  message: string;
  next?: NextStep;
}

function describe(error: ApiError): string {
  if (error.status === 429 && error.retryAfterSeconds !== null) {
    return `${error.message} Try again in ${error.retryAfterSeconds} seconds.`;
  }
  return error.message;
}

/** The page that fixes what the server refused, when there is one. */
export function nextStepFor(error: ApiError): NextStep | undefined {
  if (error.status === 401 && reasonOf(error) === 'sign_in') {
    return {
      to: withNext('/login', window.location.pathname + window.location.search),
      label: 'Log in again.',
    };
  }
  // The link that confirms an address is mailed; a Tally without a mail server keeps it in its Mailbox.
  if (reasonOf(error) === 'email_not_verified') return { to: '/mailbox', label: 'Open the Mailbox.' };
  return undefined;
}

/**
 * Puts each server error next to the field it names (`details.issues[].path`, `details.field`) and
 * returns what is left to show above the form — or null when every error found its field. The
 * typed values are never touched, so nothing is lost on an error.
 */
export function showServerErrors(form: FormWithErrors, thrown: unknown): string | null {
  return problemOf(form, thrown)?.message ?? null;
}

/**
 * Like `showServerErrors`, with the next step of what is left for above the form; `nextStep` adds a
 * line's own (the page that fixes a refusal only that line gives).
 */
export function problemOf(
  form: FormWithErrors,
  thrown: unknown,
  nextStep: (error: ApiError) => NextStep | undefined = () => undefined,
): FormProblem | null {
  const error = asApiError(thrown);
  let placed = 0;
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    if (path.split('.')[0]! in form.values) {
      form.setFieldError(path, message);
      placed += 1;
    }
  }
  if (placed > 0) return null;
  const next = nextStep(error) ?? nextStepFor(error);
  return next ? { message: describe(error), next } : { message: describe(error) };
}
