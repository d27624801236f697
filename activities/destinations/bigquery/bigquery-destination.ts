import { DestinationError } from '../../errors';
import type { BigqueryConfig } from '../config';
import type { Destination } from '../destination';

/**
 * Opens the BigQuery destination.
 *
 * TODO: not built yet, so every call throws. The planned design, checked
 * against bqemulator 1.4.0: NEWLINE_DELIMITED_JSON load jobs into a staging
 * table, then DELETE and INSERT in one `BEGIN TRANSACTION; ... COMMIT
 * TRANSACTION;` script, with column types read from table metadata because
 * the emulator's INFORMATION_SCHEMA reports JSON as STRING.
 *
 * @throws DestinationError, not retryable, always.
 */
export async function openBigqueryDestination(config: BigqueryConfig): Promise<Destination> {
  throw new DestinationError(
    `The BigQuery destination is not implemented yet (project ${config.projectId}); use duckdb, postgres or snowflake.`,
    false,
    { destination: `bigquery:${config.projectId}/${config.dataset}` },
  );
}
