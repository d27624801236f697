import { z } from 'zod';

/** Schema (BigQuery: dataset) that every destination loads into unless configured otherwise. */
export const DEFAULT_DATASET = 'pipefy_data';

const dataset = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a letter or underscore followed by letters, digits or underscores')
  .default(DEFAULT_DATASET);

export const duckdbConfigSchema = z.object({
  type: z.literal('duckdb'),
  /** DuckDB database file; relative paths resolve against the worker's working directory. */
  path: z.string().min(1).default('data/pipefy.duckdb'),
  dataset,
});

export const postgresConfigSchema = z.object({
  type: z.literal('postgres'),
  /** `postgres://user:password@host:port/database`; overrides the separate settings when set. */
  connectionString: z.string().optional(),
  host: z.string().default('127.0.0.1'),
  port: z.number().int().positive().default(5432),
  user: z.string().default('postgres'),
  password: z.string().optional(),
  database: z.string().default('postgres'),
  ssl: z.boolean().default(false),
  dataset,
});

export const snowflakeConfigSchema = z.object({
  type: z.literal('snowflake'),
  account: z.string().min(1),
  username: z.string().min(1),
  /** Password authentication; set this or `privateKeyPath`. */
  password: z.string().optional(),
  /** Key-pair authentication: a PEM file with the private key. */
  privateKeyPath: z.string().optional(),
  privateKeyPassphrase: z.string().optional(),
  database: z.string().min(1),
  warehouse: z.string().optional(),
  role: z.string().optional(),
  /**
   * Full URL of the Snowflake endpoint, such as `http://127.0.0.1:8085` for a
   * local fakesnow server. Unset for the real service.
   */
  accessUrl: z.string().url().optional(),
  dataset,
});

export const bigqueryConfigSchema = z.object({
  type: z.literal('bigquery'),
  projectId: z.string().min(1),
  location: z.string().default('US'),
  /** Service-account key file; unset to use the environment's credentials. */
  keyFilename: z.string().optional(),
  /** API endpoint, such as `http://127.0.0.1:9050` for a local bqemulator. Unset for the real service. */
  apiEndpoint: z.string().url().optional(),
  dataset,
});

/** A destination's settings, discriminated by `type`. */
export const destinationConfigSchema = z.discriminatedUnion('type', [
  duckdbConfigSchema,
  postgresConfigSchema,
  snowflakeConfigSchema,
  bigqueryConfigSchema,
]);

export type DestinationConfig = z.infer<typeof destinationConfigSchema>;
export type DuckdbConfig = z.infer<typeof duckdbConfigSchema>;
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;
export type SnowflakeConfig = z.infer<typeof snowflakeConfigSchema>;
export type BigqueryConfig = z.infer<typeof bigqueryConfigSchema>;
