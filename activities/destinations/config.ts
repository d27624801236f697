import { z } from 'zod';

/** Schema (BigQuery: dataset) that every destination loads into unless configured otherwise. */
export const DEFAULT_DATASET = 'pipefy_data';

const dataset = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a letter or underscore followed by letters, digits or underscores')
  .default(DEFAULT_DATASET);

/**
 * Cards or records a sync loads per batch: it fetches pages of 50 until it
 * has this many, then loads them as one transaction with the cursor. Larger
 * batches mean fewer statements (and, on BigQuery, fewer load jobs); smaller
 * ones mean less work repeated when a load fails. Unset takes
 * {@link DEFAULT_ITEMS_PER_LOAD}.
 */
const itemsPerLoad = z.number().int().min(1).max(50_000).optional();

export const duckdbConfigSchema = z.object({
  type: z.literal('duckdb'),
  /** DuckDB database file; relative paths resolve against the worker's working directory. */
  path: z.string().min(1).default('data/pipefy.duckdb'),
  dataset,
  itemsPerLoad,
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
  itemsPerLoad,
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
  itemsPerLoad,
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
  itemsPerLoad,
});

/** A destination's settings, discriminated by `type`. */
export const destinationConfigSchema = z
  .discriminatedUnion('type', [duckdbConfigSchema, postgresConfigSchema, snowflakeConfigSchema, bigqueryConfigSchema])
  .superRefine((config, context) => {
    if (config.type !== 'snowflake') return;
    if (config.password === undefined && config.privateKeyPath === undefined) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['password'],
        message: 'set "password", or "privateKeyPath" (and "privateKeyPassphrase" for an encrypted key) for key-pair authentication',
      });
    }
    if (config.password !== undefined && config.privateKeyPath !== undefined) {
      context.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['privateKeyPath'],
        message: 'set either "password" or "privateKeyPath", not both',
      });
    }
  });

export type DestinationConfig = z.infer<typeof destinationConfigSchema>;
export type DuckdbConfig = z.infer<typeof duckdbConfigSchema>;
export type PostgresConfig = z.infer<typeof postgresConfigSchema>;
export type SnowflakeConfig = z.infer<typeof snowflakeConfigSchema>;
export type BigqueryConfig = z.infer<typeof bigqueryConfigSchema>;

/**
 * Batch size per destination type when `itemsPerLoad` is unset. Each
 * BigQuery batch costs one load job (100,000 per project per day), and each
 * Snowflake statement costs warehouse time, so both take larger batches than
 * the local databases.
 */
export const DEFAULT_ITEMS_PER_LOAD: Record<DestinationConfig['type'], number> = {
  duckdb: 1_000,
  postgres: 1_000,
  snowflake: 5_000,
  bigquery: 5_000,
};

/** Returns the destination's batch size in cards or records. */
export function itemsPerLoadOf(config: DestinationConfig): number {
  return config.itemsPerLoad ?? DEFAULT_ITEMS_PER_LOAD[config.type];
}
