import { DestinationError, type ErrorContext } from '../../errors';

/** Driver error codes of network faults and failed HTTP requests (snowflake-sdk `ErrorCode`). */
const TRANSIENT_DRIVER_CODES = new Set([401001, 401002, 401003, 402001, 402002]);

/** Snowflake error codes that a retry cannot fix: authentication, missing objects, syntax. */
const PERMANENT_SNOWFLAKE_CODES = new Set([
  390100, // incorrect username or password
  390101, // user not found
  390102, // user temporarily locked
  390144, // JWT token invalid
  390189, // role not granted or not found
  390201, // database, schema or warehouse missing or not authorized
  2003, // object does not exist or not authorized
  1003, // SQL compilation error: syntax
  3001, // insufficient privileges
]);

/** Node.js socket error codes that mean the network failed, not the statement. */
const NETWORK_ERROR_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'ESOCKETTIMEDOUT']);

interface SnowflakeDriverError {
  code?: number | string;
  sqlState?: string;
  message?: string;
  response?: { status?: number };
}

/**
 * Turns an error from snowflake-sdk into a DestinationError. Network faults,
 * timeouts, throttling and 5xx responses are retryable. Authentication failures,
 * missing objects, syntax errors and invalid values (SQLSTATE class 22) are
 * not. A DestinationError passes through unchanged.
 */
export function translateSnowflakeError(error: unknown, action: string, context: ErrorContext): DestinationError {
  if (error instanceof DestinationError) return error;

  const driverError = (error ?? {}) as SnowflakeDriverError;
  const code = typeof driverError.code === 'string' && /^\d+$/.test(driverError.code) ? Number(driverError.code) : driverError.code;
  const retryable = isRetryable(code, driverError);
  const detail = driverError.message ?? String(error);
  const where = context.table ? ` on table "${context.table}"` : '';
  const advice = retryable ? 'The activity will retry.' : 'Fix the cause; retrying will not help.';
  return new DestinationError(`Snowflake failed to ${action}${where}: ${detail} ${advice}`, retryable, context, { cause: error });
}

function isRetryable(code: number | string | undefined, error: SnowflakeDriverError): boolean {
  if (typeof code === 'number' && PERMANENT_SNOWFLAKE_CODES.has(code)) return false;
  if (typeof code === 'number' && TRANSIENT_DRIVER_CODES.has(code)) return true;
  if (typeof code === 'string' && NETWORK_ERROR_CODES.has(code)) return true;

  const status = error.response?.status;
  if (status !== undefined) return status === 429 || status >= 500;

  // SQLSTATE class 08 is a connection exception; 57014 a statement cancelled by a timeout.
  const sqlState = error.sqlState ?? '';
  if (sqlState.startsWith('08') || sqlState === '57014') return true;
  return false;
}
