/**
 * One error type for the whole application. Services throw `AppError` with a code; the HTTP layer
 * renders the one JSON error shape with the code's status. The core's codes are below; each
 * product line declares its own (`workspace_archived`, `order_closed`…) with `defineErrors`, each
 * mapped once to a status, so a client can tell every refusal apart.
 */
export const errorStatus = {
  bad_request: 400,
  validation_failed: 400,
  malformed_json: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  idempotency_conflict: 409,
  idempotency_in_flight: 409,
  invitation_open: 409,
  invitation_accepted: 409,
  invitation_revoked: 409,
  invitation_expired: 409,
  payload_too_large: 413,
  request_too_large: 431,
  unsupported_media_type: 415,
  domain_rule: 422,
  managed_by_line: 422,
  insufficient_funds: 422,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorStatus;
export type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 410 | 413 | 415 | 422 | 429 | 431 | 500 | 503;

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export class AppError extends Error {
  readonly code: string;
  readonly status: ErrorStatus;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.status = errorStatus[code];
    this.details = details;
  }

  /** A product line's error: its code and status come from the line's catalogue (`defineErrors`). */
  static declared(code: string, status: ErrorStatus, message: string, details?: unknown): AppError {
    const error = new AppError('internal', message, details);
    Object.defineProperties(error, { code: { value: code }, status: { value: status } });
    return error;
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details === undefined ? {} : { details: this.details }),
      },
    };
  }
}

export const notFound = (what: string, details?: unknown) =>
  new AppError('not_found', `${what} not found`, details);

/** What one declared code means: its status, and a sentence for the API document. */
export interface ErrorDefinition {
  status: ErrorStatus;
  description: string;
}

export type ErrorDefinitions = Readonly<Record<string, ErrorDefinition>>;

export interface ErrorCatalog<T extends ErrorDefinitions> {
  definitions: T;
  /** The refusal named `code`, with its declared status. */
  error(code: keyof T & string, message: string, details?: unknown): AppError;
}

const CODE_NAME = /^[a-z][a-z0-9_]{2,63}$/;

/**
 * A line's error codes, each mapped once to a status. A code the core already has would be two
 * meanings for one name, and is refused here.
 */
export function defineErrors<const T extends ErrorDefinitions>(definitions: T): ErrorCatalog<T> {
  for (const code of Object.keys(definitions)) {
    if (!CODE_NAME.test(code)) throw new Error(`error code "${code}" must be lower_snake_case`);
    if (code in errorStatus) throw new Error(`error code "${code}" is the core's already`);
  }
  return {
    definitions,
    error: (code, message, details) => AppError.declared(code, definitions[code]!.status, message, details),
  };
}

/** The core's own codes, described as the API document lists them. */
export const coreErrorDescriptions: Readonly<Record<ErrorCode, string>> = {
  bad_request: 'The request cannot be read',
  validation_failed: 'A field is missing, of the wrong type or out of range; details name it',
  malformed_json: 'The body is not valid JSON',
  unauthorized: 'Missing or wrong credentials',
  forbidden: 'The caller may not do this',
  not_found: 'No such thing, or not one the caller may see',
  conflict: 'The thing is not in a state that allows this',
  idempotency_conflict: 'The Idempotency-Key was used with another request',
  idempotency_in_flight: 'A request with this Idempotency-Key is still running',
  invitation_open: 'The invitation is still open',
  invitation_accepted: 'The invitation was used already',
  invitation_revoked: 'The invitation was withdrawn; ask for a new one',
  invitation_expired: 'The invitation has expired; ask for a new one',
  payload_too_large: 'The body is over the size limit',
  request_too_large: 'The URL and headers are over 16 KB',
  unsupported_media_type: 'The body is not of a type this route takes',
  domain_rule: 'A rule of the domain refuses this',
  managed_by_line: 'This kind of organisation is changed through its product line’s own routes',
  insufficient_funds: 'Not enough is available',
  rate_limited: 'Too many requests; see Retry-After',
  internal: 'Something went wrong on our side',
  unavailable: 'A service Tally needs is not reachable',
};
