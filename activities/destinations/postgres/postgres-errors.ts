import { DestinationError, type ErrorContext } from '../../errors';

/** SQLSTATE classes and codes that a later attempt can clear. */
const RETRYABLE_SQLSTATES = [
  /^08/, // connection exception
  /^53/, // insufficient resources, including 53300 too_many_connections
  /^40001$/, // serialization_failure
  /^40P01$/, // deadlock_detected
  // unique_violation: batches are deduplicated, so only a concurrent batch that
  // inserted the same key first causes it, and a retry deletes that row first.
  /^23505$/,
  /^55P03$/, // lock_not_available
  /^57P0[1-3]$/, // admin_shutdown, crash_shutdown, cannot_connect_now
];

/** Node.js socket errors that mean the server was not reachable at that moment. */
const RETRYABLE_NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'EAI_AGAIN']);

function fixFor(code: string, retryable: boolean): string {
  if (code === '28P01' || code === '28000') return 'Check the user and password of the destination configuration.';
  if (code === '3D000') return 'Create the database or correct `database` in the destination configuration.';
  if (code === '42501') return 'Grant the user CREATE on the database and on the dataset schema.';
  if (code === '53300') return 'Lower the worker concurrency or raise max_connections; the load is retried.';
  if (code.startsWith('22') || code.startsWith('23')) {
    return 'A value does not fit its column type; check the normalizer that produced the row.';
  }
  if (retryable) return 'Check that PostgreSQL is running and reachable; the load is retried.';
  return 'Fix the cause and run the sync again.';
}

/**
 * Turns an error thrown by `pg` into a DestinationError. Connection failures,
 * too many connections, serialization failures and deadlocks are retryable.
 * Authentication failures, a missing database, privilege, syntax and data
 * errors are not. This is the only place that reads `pg` error codes or text.
 * `destination` names the server as host, port and database; `password`,
 * when given, is masked wherever the driver's message repeats it.
 */
export function translatePostgresError(
  error: unknown,
  action: string,
  context: ErrorContext,
  password?: string,
): DestinationError {
  if (error instanceof DestinationError) return error;

  const code = typeof (error as { code?: unknown })?.code === 'string' ? (error as { code: string }).code : '';
  const rawMessage = error instanceof Error ? error.message : String(error);
  const message = password ? rawMessage.replaceAll(password, '***') : rawMessage;
  const isSqlState = /^[0-9A-Z]{5}$/.test(code);
  const retryable = isSqlState
    ? RETRYABLE_SQLSTATES.some((pattern) => pattern.test(code))
    : RETRYABLE_NETWORK_CODES.has(code) || /connection terminated|timeout/i.test(message);

  const table = context.table ? ` on table "${context.table}"` : '';
  const codeText = code ? ` (${code})` : '';
  return new DestinationError(
    `PostgreSQL destination ${context.destination ?? '(unknown server)'} failed to ${action}${table}: ${message}${codeText}. ${fixFor(code, retryable)}`,
    retryable,
    context,
    { cause: error },
  );
}
