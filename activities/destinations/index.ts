import type { DestinationConfig } from './config';
import type { Destination } from './destination';

/**
 * Opens the destination that `config` describes. Each destination's module is
 * loaded only when used, so a worker that loads into DuckDB never loads the
 * Snowflake or BigQuery drivers.
 *
 * @throws DestinationError when the warehouse cannot be reached or rejects the credentials.
 */
export async function openDestination(config: DestinationConfig): Promise<Destination> {
  switch (config.type) {
    case 'duckdb': {
      const { openDuckdbDestination } = await import('./duckdb/duckdb-destination');
      return openDuckdbDestination(config);
    }
    case 'postgres': {
      const { openPostgresDestination } = await import('./postgres/postgres-destination');
      return openPostgresDestination(config);
    }
    case 'snowflake': {
      const { openSnowflakeDestination } = await import('./snowflake/snowflake-destination');
      return openSnowflakeDestination(config);
    }
    case 'bigquery': {
      const { openBigqueryDestination } = await import('./bigquery/bigquery-destination');
      return openBigqueryDestination(config);
    }
  }
}
