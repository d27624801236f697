import { DestinationError, type ErrorContext } from '../../errors';

/** Error reasons of the BigQuery API that a later attempt can clear. */
const RETRYABLE_REASONS = new Set([
  'rateLimitExceeded',
  'quotaExceeded',
  'backendError',
  'internalError',
  'jobBackendError',
  'jobInternalError',
  'jobRateLimitExceeded',
]);

/** Node.js socket and DNS errors that mean the API was not reachable at that moment. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN', 'ENOTFOUND', 'ESOCKETTIMEDOUT']);

/**
 * Message of a transaction that BigQuery cancelled because another one
 * changed the same table. No error reason known here marks that case, so the
 * text is matched.
 *
 * NOTE: the patterns were not checked against live BigQuery.
 */
const CONCURRENT_UPDATE = /concurrent update|could not serialize access/i;

/** Fields of the client library's `ApiError` and of network errors that the translator reads. */
interface BigqueryDriverError {
  code?: number | string;
  message?: string;
  errors?: { reason?: string; message?: string }[];
}

/**
 * Turns an error from `@google-cloud/bigquery` into a DestinationError.
 * Throttling, quota, backend errors, HTTP 5xx, network faults and lost
 * transaction races are retryable. Missing datasets or tables, invalid
 * queries or values, denied access and failed authentication are not. This
 * is the only place that reads BigQuery error reasons or text. A
 * DestinationError passes through unchanged.
 */
export function translateBigqueryError(error: unknown, action: string, context: ErrorContext): DestinationError {
  if (error instanceof DestinationError) return error;

  const driverError = (error ?? {}) as BigqueryDriverError;
  const reasons = (driverError.errors ?? []).map((entry) => entry.reason ?? '').filter(Boolean);
  const message = driverError.message ?? String(error);
  const retryable = isRetryable(driverError.code, reasons, message);

  const where = context.table ? ` on table "${context.table}"` : '';
  const reasonText = reasons.length > 0 ? ` (${reasons.join(', ')})` : '';
  return new DestinationError(
    `BigQuery destination ${context.destination ?? '(unknown dataset)'} failed to ${action}${where}: ${message}${reasonText}. ${fixFor(driverError.code, reasons, retryable)}`,
    retryable,
    context,
    { cause: error },
  );
}

function isRetryable(code: number | string | undefined, reasons: string[], message: string): boolean {
  if (typeof code === 'string') return NETWORK_ERROR_CODES.has(code);
  if (reasons.some((reason) => RETRYABLE_REASONS.has(reason))) return true;
  if (CONCURRENT_UPDATE.test(message)) return true;
  if (typeof code === 'number') return code === 429 || code >= 500;
  return /socket hang up|network|timed? ?out/i.test(message);
}

function fixFor(code: number | string | undefined, reasons: string[], retryable: boolean): string {
  if (code === 401) return 'Check the service-account key (keyFilename) or the application default credentials.';
  if (code === 403 || reasons.includes('accessDenied')) {
    return 'Grant the service account BigQuery Data Editor and Job User on the project and dataset.';
  }
  if (code === 404 || reasons.includes('notFound')) return 'Check projectId, location and dataset in the destination configuration.';
  if (reasons.includes('quotaExceeded')) return 'A BigQuery quota is exhausted; the load is retried, and daily quotas reset after 24 hours.';
  if (retryable) return 'The load is retried.';
  if (reasons.includes('invalid') || reasons.includes('invalidQuery')) {
    return 'A value or statement is invalid; check the normalizer that produced the rows.';
  }
  return 'Fix the cause and run the sync again.';
}
