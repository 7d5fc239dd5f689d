import type { FieldError } from '../validation/validators';

/** The closed catalogue of error codes clients see, with their HTTP status. */
export const ERRORS = {
  invalid_json: 400,
  duplicate_key: 400,
  validation_failed: 400,
  invalid_path: 400,
  bad_request: 400,
  // A valid event the service's clock refuses (too far ahead or too old): not a malformed body.
  timestamp_out_of_range: 422,
  payload_too_large: 413,
  // Refused by node's HTTP parser or its timeouts, before any route (see client-errors.ts).
  request_timeout: 408,
  headers_too_large: 431,
  unsupported_media_type: 415,
  unsupported_content_encoding: 415,
  // No or bad credentials (with WWW-Authenticate: Bearer); a scope the client lacks.
  unauthenticated: 401,
  forbidden: 403,
  rate_limited: 429,
  idempotency_conflict: 409,
  label_conflict: 409,
  unknown_transaction: 404,
  not_found: 404,
  method_not_allowed: 405,
  not_ready: 503,
  // The decision log or label store did not answer in time: nothing was acknowledged; retry.
  storage_unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERRORS;

/** An error meant for the client: a stable code, a clear message, optional per-field details. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: readonly FieldError[] = [],
    /** Seconds a client should wait before retrying (the `Retry-After` header), or null. */
    readonly retryAfterS: number | null = null,
  ) {
    super(message);
  }

  get status(): number {
    return ERRORS[this.code];
  }

  /** The response body: `{"error":{"code","message","details"?}}`. */
  body(): { error: { code: ErrorCode; message: string; details?: readonly FieldError[] } } {
    return { error: { code: this.code, message: this.message, ...(this.details.length > 0 ? { details: this.details } : {}) } };
  }
}
