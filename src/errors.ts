import { type Localized, type Translations, verbatim } from './i18n/localized.ts';

/**
 * The one error type of vmarket. Every failure a user can see carries a stable `code` from the
 * table below; the HTTP layer maps it to a status, the CLI to an exit code. Modules throw
 * `new VmarketError('CODE', 'one clear sentence', { details })` and never invent ad-hoc classes.
 */

/**
 * Every error code, with the HTTP status it answers, the CLI exit code it ends with, and whether
 * another attempt may succeed (`retryable`). `false` means the input, the configuration or the
 * receiver's answer is what is wrong, so repeating the same work gives the same failure: a
 * pipeline step blocks at once (src/pipeline/runner.ts) and a delivery stops retrying
 * (src/security/retry.ts). Transient trouble (a store, a network, a busy receiver) is `true`.
 */
export const ERROR_CODES = {
  // input and usage
  BAD_REQUEST: { http: 400, exit: 2, retryable: false },
  INVALID_JSON: { http: 400, exit: 2, retryable: true },
  VALIDATION_FAILED: { http: 422, exit: 1, retryable: false },
  PAYLOAD_TOO_LARGE: { http: 413, exit: 2, retryable: true },
  USAGE: { http: 400, exit: 2, retryable: true },
  // identity and access
  UNAUTHORIZED: { http: 401, exit: 2, retryable: true },
  FORBIDDEN: { http: 403, exit: 2, retryable: true },
  NOT_FOUND: { http: 404, exit: 2, retryable: true },
  RATE_LIMITED: { http: 429, exit: 2, retryable: true },
  // state
  CONFLICT: { http: 409, exit: 1, retryable: true },
  PRECONDITION_FAILED: { http: 412, exit: 1, retryable: true },
  ALREADY_EXISTS: { http: 409, exit: 1, retryable: true },
  // the publisher stopped selling the plan or offer, or deprecated it and the day came (src/lifecycle/)
  NO_LONGER_SOLD: { http: 410, exit: 1, retryable: false },
  // configuration and environment
  CONFIG_INVALID: { http: 500, exit: 2, retryable: false },
  TOOL_MISSING: { http: 500, exit: 2, retryable: false },
  UNREACHABLE: { http: 502, exit: 2, retryable: true },
  // files, images and storage
  FILE_UNREADABLE: { http: 422, exit: 2, retryable: false },
  PATH_NOT_ALLOWED: { http: 422, exit: 2, retryable: false },
  URL_NOT_ALLOWED: { http: 422, exit: 2, retryable: false },
  DOWNLOAD_TOO_LARGE: { http: 422, exit: 1, retryable: false },
  IMAGE_CORRUPT: { http: 422, exit: 1, retryable: false },
  IMAGE_UNSUPPORTED: { http: 422, exit: 1, retryable: false },
  STORAGE_FAILED: { http: 502, exit: 1, retryable: true },
  HASH_MISMATCH: { http: 502, exit: 1, retryable: true },
  // a source no longer holds the bytes an operation recorded for it (certified): publish again
  IMAGE_CHANGED: { http: 409, exit: 1, retryable: false },
  // pipeline
  CERTIFICATION_FAILED: { http: 422, exit: 1, retryable: false },
  LEAD_DELIVERY_FAILED: { http: 502, exit: 1, retryable: true },
  NOTIFICATION_FAILED: { http: 502, exit: 1, retryable: true },
  // a lead's or notification's receiver answered no (an HTTP 4xx but 408/425/429, an SMTP 5xx)
  DELIVERY_REFUSED: { http: 502, exit: 1, retryable: false },
  CANCELED: { http: 409, exit: 1, retryable: false },
  PUBLICATION_FAILED: { http: 409, exit: 1, retryable: true },
  // anything else
  INTERNAL: { http: 500, exit: 2, retryable: true },
} as const satisfies Record<string, { http: number; exit: number; retryable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** One problem of many, e.g. one schema violation with its field path (`plans[0].regions[1]`). */
export interface ErrorDetail {
  path?: string;
  message: string;
  [key: string]: unknown;
}

export interface VmarketErrorOptions {
  details?: ErrorDetail[];
  cause?: unknown;
}

export class VmarketError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[];
  /** The message in every language, when it was written as a phrase (`message` is its English). */
  readonly localized: Localized | undefined;

  constructor(code: ErrorCode, message: string | Localized, options: VmarketErrorOptions = {}) {
    super(typeof message === 'string' ? message : message.en, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VmarketError';
    this.code = code;
    this.details = options.details ?? [];
    this.localized = typeof message === 'string' ? undefined : message;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }

  /** The body of the HTTP contract: `{"error":{"code","message","details"}}`. */
  toJSON(): { error: { code: ErrorCode; message: string; details: ErrorDetail[]; translations?: Translations } } {
    const translations = this.localized && this.localized.de !== this.localized.en ? { translations: { de: { message: this.localized.de } } } : {};
    return { error: { code: this.code, message: this.message, details: this.details, ...translations } };
  }
}

/** The error code an HTTP status stands for, when a body does not name one (undefined otherwise). */
export function errorCodeForStatus(status: number): ErrorCode | undefined {
  return STATUS_CODES[status];
}

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'VALIDATION_FAILED',
  429: 'RATE_LIMITED',
};

export function isVmarketError(error: unknown): error is VmarketError {
  return error instanceof VmarketError;
}

/**
 * Whether another attempt may succeed: a VmarketError answers its code's `retryable` flag; any
 * other error (a library's, the network's, a tool's) counts as transient, since nothing says the
 * same input must fail again.
 */
export function isRetryable(error: unknown): boolean {
  return isVmarketError(error) ? ERROR_CODES[error.code].retryable : true;
}

/** Wraps anything thrown into a VmarketError, keeping the original as `cause`. */
export function toVmarketError(error: unknown, fallback: ErrorCode = 'INTERNAL'): VmarketError {
  if (error instanceof VmarketError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new VmarketError(fallback, message, { cause: error });
}

/**
 * An error's sentence in every language, for messages that quote it: a VmarketError raised with
 * a phrase brings its own translations; any other error (a library's, the storage layer's) reads
 * the same in every language.
 */
export function errorText(error: unknown): Localized {
  if (isVmarketError(error) && error.localized) return error.localized;
  return verbatim(error instanceof Error ? error.message : String(error));
}
