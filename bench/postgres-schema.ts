import pg from 'pg';

/** The benchmark's PostgreSQL server: a local one on loopback, as `scripts/ensure-postgres.sh` sets up. */
export const POSTGRES_BENCH = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' } as const;

/**
 * Drops `schema` with everything in it, so that a run loads into an empty
 * schema. Only names the benchmark builds (`bench_<cards>...`) are accepted.
 */
export async function dropPostgresSchema(schema: string): Promise<void> {
  if (!/^bench_\w+$/.test(schema)) throw new Error(`Invalid schema "${schema}": the benchmark drops only schemas whose names start with bench_.`);

  const client = new pg.Client(POSTGRES_BENCH);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
