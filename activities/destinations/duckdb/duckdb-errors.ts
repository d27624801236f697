import { DestinationError, type ErrorContext } from '../../errors';

/**
 * DuckDB error classes (the text before `Error:` in the driver's message)
 * that a later attempt can clear: a file locked by another process, a write
 * conflict between transactions, an interrupted query, memory pressure.
 */
const RETRYABLE_CLASSES = new Set(['IO', 'Transaction', 'TransactionContext', 'Interrupt', 'Out of Memory']);

/** IO errors that stay until someone changes the file system. */
const PERMANENT_IO = /permission denied|no such file|read-only file system|not a valid DuckDB database/i;

const FIXES: Record<string, string> = {
  IO: 'Check that no other process has the DuckDB file open and that its folder is writable.',
  Conversion: 'A value does not fit its column type; check the normalizer that produced the row.',
  'Invalid Input': 'A value does not fit its column type; check the normalizer that produced the row.',
  Catalog: 'The table or column is missing; check the dataset name.',
};

/**
 * Turns an error thrown by `@duckdb/node-api` into a DestinationError.
 * Lock, IO and transaction conflicts are retryable; conversion, constraint,
 * catalog, binder and parser errors are not, because the same batch fails
 * the same way again. This is the only place that reads DuckDB message text.
 */
export function translateDuckdbError(error: unknown, action: string, context: ErrorContext): DestinationError {
  if (error instanceof DestinationError) return error;

  const message = error instanceof Error ? error.message : String(error);
  const errorClass = /^([A-Za-z ]+?) Error:/.exec(message)?.[1] ?? '';
  const retryable = RETRYABLE_CLASSES.has(errorClass) && !(errorClass === 'IO' && PERMANENT_IO.test(message));

  const table = context.table ? ` on table "${context.table}"` : '';
  const fix = FIXES[errorClass] ?? (retryable ? 'The load is retried.' : 'Fix the cause and run the sync again.');
  const firstLine = message.split('\n')[0];
  return new DestinationError(
    `DuckDB destination ${context.destination ?? '(no path)'} failed to ${action}${table}: ${firstLine}. ${fix}`,
    retryable,
    { ...context, destination: context.destination ?? 'duckdb' },
    { cause: error },
  );
}
