import { Context } from '@temporalio/activity';

/**
 * Counters the activities add to the worker's metrics (Prometheus when the
 * worker enables it), next to Temporal's own runtime metrics. Outside an
 * activity (unit tests) they do nothing.
 */

function meter() {
  try {
    return Context.current().metricMeter;
  } catch {
    return undefined;
  }
}

/** One request sent to Pipefy, by connection, operation and outcome (`ok`, `throttled`, `failed`). */
export function countPipefyRequest(connection: string, operation: string, outcome: 'ok' | 'throttled' | 'failed'): void {
  meter()
    ?.createCounter('pipefy_sync_requests', 'requests', 'Requests sent to the Pipefy API')
    .add(1, { connection, operation, outcome });
}

/** Rows written to a warehouse table by one batch. */
export function countRowsLoaded(destination: string, rowsByTable: Record<string, number>): void {
  const counter = meter()?.createCounter('pipefy_sync_rows_loaded', 'rows', 'Rows loaded into the warehouse');
  if (!counter) return;
  for (const [table, rows] of Object.entries(rowsByTable)) counter.add(rows, { destination, table });
}
