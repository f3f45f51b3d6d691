import type { components } from './schema';

/**
 * The server's one error shape, `{ "error": { "code", "message", "details" } }`, as an exception the
 * pages catch. A validation error names its fields in `details.issues[].path`; a domain error may
 * name its field in `details.field`.
 */

/**
 * Every code the server answers with (the core's and each line's, from the API document), and the
 * client's own for failures that never reached it.
 */
export type ApiErrorCode =
  | components['schemas']['ErrorCode']
  | 'network_error'
  | 'client_error'
  | `http_${number}`;

export interface FieldIssue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: ApiErrorCode;
  readonly details: unknown;
  /** From `Retry-After` on a 429, in seconds. */
  readonly retryAfterSeconds: number | null;

  constructor(options: {
    status: number;
    code: ApiErrorCode;
    message: string;
    details?: unknown;
    retryAfterSeconds?: number | null;
  }) {
    super(options.message);
    this.name = 'ApiError';
    this.status = options.status;
    this.code = options.code;
    this.details = options.details;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }

  /** The messages that belong next to a field, keyed by the field's dot path in the request body. */
  get fieldErrors(): Record<string, string> {
    const errors: Record<string, string> = {};
    if (!isRecord(this.details)) return errors;
    const { issues, field } = this.details;
    if (Array.isArray(issues)) {
      for (const issue of issues.filter(isFieldIssue)) errors[issue.path] ??= sentence(issue.message);
    }
    if (typeof field === 'string' && field !== '') errors[field] ??= withoutField(this.message, field);
    return errors;
  }
}

/**
 * A message placed next to its field, without the field's name the server may start it with
 * (`iban: the check digits do not match` under the IBAN reads "The check digits do not match.").
 */
export function withoutField(message: string, field: string): string {
  const prefix = `${field}:`;
  if (!message.toLowerCase().startsWith(prefix.toLowerCase())) return message;
  const rest = message.slice(prefix.length).trim();
  return rest ? sentence(rest) : message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFieldIssue(value: unknown): value is FieldIssue {
  return (
    isRecord(value) &&
    typeof value.path === 'string' &&
    value.path !== '' &&
    typeof value.message === 'string'
  );
}

function retryAfter(response: Response): number | null {
  const header = response.headers.get('retry-after');
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

function retryAfterFromDetails(details: unknown): number | null {
  return isRecord(details) && typeof details.retry_after_seconds === 'number'
    ? details.retry_after_seconds
    : null;
}

/**
 * A server message as people read it (UI.md: errors are sentences): a capital letter and a full stop.
 * The server words its messages to be quoted inside other text (`sign in first`), so the page does
 * it; a message that is a sentence already is left as it is.
 */
export function sentence(message: string): string {
  const text = message.trim();
  if (!text) return text;
  // A message may start with an address, a field or a key (`ada@example.com is…`, `used_for: …`),
  // which keep their case: only a plain word is capitalised.
  const capital = /^[a-z][a-z'’-]*(?=[\s,:;]|$)/.test(text)
    ? text.charAt(0).toUpperCase() + text.slice(1)
    : text;
  return /[.!?…]$/.test(capital) ? capital : `${capital}.`;
}

/** Why the server refused, when it says (`details.reason`: `sign_in`, `email_not_verified`…). */
export function reasonOf(error: ApiError): string | null {
  return isRecord(error.details) && typeof error.details.reason === 'string' ? error.details.reason : null;
}

/** Whether a body is the server's refusal of a call that needs a signed-in person, made without one. */
export function isSignInRefusal(status: number, body: unknown): boolean {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  return status === 401 && isRecord(error?.details) && error.details.reason === 'sign_in';
}

/** Reads an error response, whatever came back: the one error shape, other JSON, or plain text. */
export function apiErrorFromResponse(response: Response, body: unknown): ApiError {
  const error = isRecord(body) && isRecord(body.error) ? body.error : null;
  const code = (typeof error?.code === 'string' ? error.code : `http_${response.status}`) as ApiErrorCode;
  const message = sentence(
    typeof error?.message === 'string'
      ? error.message
      : `Tally answered ${response.status} ${response.statusText}`.trim(),
  );
  return new ApiError({
    status: response.status,
    code,
    message,
    details: error?.details,
    retryAfterSeconds: retryAfter(response) ?? retryAfterFromDetails(error?.details),
  });
}

export const networkError = () =>
  new ApiError({
    status: 0,
    code: 'network_error',
    message: 'Tally could not be reached. Check your connection and try again.',
  });

/** Any thrown value as an ApiError, so pages render one kind of failure. */
export function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    status: 0,
    code: 'client_error',
    message: error instanceof Error ? error.message : 'Something went wrong in the page.',
  });
}
