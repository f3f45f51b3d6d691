import { type ApiError, asApiError } from '../api/errors';

interface FormWithErrors {
  values: object;
  setFieldError: (path: string, message: string) => void;
}

function describe(error: ApiError): string {
  if (error.status === 429 && error.retryAfterSeconds !== null) {
    const sentence = /[.!?]$/.test(error.message) ? error.message : `${error.message}.`;
    return `${sentence} Try again in ${error.retryAfterSeconds} seconds.`;
  }
  return error.message;
}

/**
 * Puts each server error next to the field it names (`details.issues[].path`, `details.field`) and
 * returns what is left to show above the form — or null when every error found its field. The
 * typed values are never touched, so nothing is lost on an error.
 */
export function showServerErrors(form: FormWithErrors, thrown: unknown): string | null {
  const error = asApiError(thrown);
  let placed = 0;
  for (const [path, message] of Object.entries(error.fieldErrors)) {
    if (path.split('.')[0]! in form.values) {
      form.setFieldError(path, message);
      placed += 1;
    }
  }
  return placed > 0 ? null : describe(error);
}
