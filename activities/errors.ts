/**
 * The project's error classes. Activities throw these, and `reportFailures`
 * (in `failures.ts`) turns them into Temporal failures whose `type` is the
 * class name. So the retry decision is made here, once, and never by
 * matching message text. Workflows list the non-retryable names in
 * `workflows/activity-proxies.ts`, because they may not import this file.
 *
 * No message or field may contain a token or a password.
 */

export interface ErrorContext {
  connection?: string;
  pipeId?: string;
  tableId?: string;
  resource?: string;
  cursor?: string | null;
  destination?: string;
  table?: string;
}

export abstract class PipefySyncError extends Error {
  /** Whether Temporal may retry the activity that threw it. */
  abstract readonly retryable: boolean;
  readonly context: ErrorContext;

  constructor(message: string, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.context = context;
  }
}

/** The token is missing, invalid or expired. Retrying cannot help. */
export class PipefyAuthError extends PipefySyncError {
  readonly retryable = false;
}

/** The token is valid but may not read the object. */
export class PipefyPermissionError extends PipefySyncError {
  readonly retryable = false;
}

/** A pipe, table, card or organization id that does not exist for this token. */
export class PipefyNotFoundError extends PipefySyncError {
  readonly retryable = false;
}

/** Pipefy throttled the token (HTTP 429). The caller waits `retryAfterSeconds`. */
export class PipefyRateLimitError extends PipefySyncError {
  readonly retryable = true;
  readonly retryAfterSeconds: number;

  constructor(message: string, retryAfterSeconds: number, context: ErrorContext = {}) {
    super(message, context);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A network fault, a 5xx response or a timeout: retried with backoff. */
export class PipefyTransientError extends PipefySyncError {
  readonly retryable = true;
}

/**
 * The response does not have the shape the query requests (missing `pageInfo`,
 * a `null` where data must be, an `errors` array the policy does not accept).
 * Retried, because a proxy or an overloaded API can truncate responses; the
 * retry policy's attempt limit ends it when it persists.
 */
export class PipefyResponseError extends PipefySyncError {
  readonly retryable = true;
}

/** A query the API rejected as invalid. A bug in this project; not retried. */
export class PipefyQueryError extends PipefySyncError {
  readonly retryable = false;
}

/** Invalid worker configuration or workflow input. */
export class ConfigurationError extends PipefySyncError {
  readonly retryable = false;
}

/** A warehouse failure, classified by the destination's error translator. */
export class DestinationError extends PipefySyncError {
  readonly retryable: boolean;

  constructor(message: string, retryable: boolean, context: ErrorContext = {}, options?: { cause?: unknown }) {
    super(message, context, options);
    this.retryable = retryable;
  }
}
