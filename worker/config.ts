import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { destinationConfigSchema, type DestinationConfig } from '../activities/destinations/config';
import { ConfigurationError } from '../activities/errors';
import { DEFAULT_TASK_QUEUE } from '../workflows/task-queues';

/**
 * Worker configuration: Pipefy connections and warehouse destinations by
 * name, Temporal's address, and local folders. Workflow inputs name a
 * connection and a destination; the secrets behind those names stay here.
 *
 * Sources, later ones winning:
 * 1. defaults: connection `default` against the real API, destination
 *    `duckdb` in `data/pipefy.duckdb`;
 * 2. the JSON file at `PIPEFY_SYNC_CONFIG` (default `pipefy-sync.config.json`
 *    in the working directory, if it exists);
 * 3. environment variables: `PIPEFY_TOKEN` and `PIPEFY_API_URL` for the
 *    `default` connection, `TEMPORAL_ADDRESS`, `TEMPORAL_NAMESPACE`,
 *    `PIPEFY_SYNC_DATA_DIR`.
 *
 * This module is the only one that reads `process.env`.
 */

export const PIPEFY_API_URL = 'https://api.pipefy.com/graphql';
export const PIPEFY_OAUTH_TOKEN_URL = 'https://app.pipefy.com/oauth/token';

const connectionSchema = z
  .object({
    /** GraphQL endpoint. */
    apiUrl: z.string().url().default(PIPEFY_API_URL),
    /** A personal access token or a service-account access token. */
    token: z.string().min(1).optional(),
    /** Name of an environment variable that contains the token. */
    tokenEnv: z.string().min(1).optional(),
    /** Service-account client credentials; the worker obtains and refreshes access tokens itself. */
    serviceAccount: z
      .object({
        clientId: z.string().min(1),
        clientSecret: z.string().min(1),
        tokenUrl: z.string().url().default(PIPEFY_OAUTH_TOKEN_URL),
      })
      .optional(),
    /**
     * Requests per second that all workers together send with this
     * connection's token. Pipefy allows 500 requests per 30 seconds (16.7/s).
     * The default of 15.5/s (465 per 30 s) leaves room for the planning
     * step's requests, which one activity sends together, and for a burst
     * of the task queue's rate limiter, estimated at one second's worth.
     */
    requestsPerSecond: z.number().positive().default(15.5),
    /** Seconds before a single request times out. */
    requestTimeoutSeconds: z.number().positive().default(60),
  })
  .strict();

export type ConnectionConfig = z.infer<typeof connectionSchema>;

const fileSchema = z
  .object({
    connections: z.record(connectionSchema).default({}),
    destinations: z.record(destinationConfigSchema).default({}),
    temporal: z
      .object({
        address: z.string().optional(),
        namespace: z.string().optional(),
        taskQueue: z.string().optional(),
      })
      .strict()
      .default({}),
    dataDir: z.string().optional(),
    /** Address of the Prometheus endpoint (`host:port`, such as 127.0.0.1:9464); `off`, the default, disables it. */
    metricsAddress: z.string().optional(),
  })
  .strict();

export interface WorkerConfig {
  connections: Record<string, ConnectionConfig>;
  /** Connections the configuration file names (the others are implicit defaults). */
  configuredConnections: string[];
  destinations: Record<string, DestinationConfig>;
  temporal: { address: string; namespace: string; taskQueue: string };
  /** Folder for the DuckDB file, staged batches and the local Temporal database. */
  dataDir: string;
  /** Folder where fetched pages wait for their load; every worker of a deployment must share it. */
  stagingDir: string;
  /** `host:port` of the Prometheus endpoint (`/metrics`), or `null` when disabled. */
  metricsAddress: string | null;
}


/**
 * Reads the configuration once, at the edge of the process.
 *
 * @throws ConfigurationError naming the file, the setting and the problem.
 */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): WorkerConfig {
  const configPath = path.resolve(cwd, env.PIPEFY_SYNC_CONFIG ?? 'pipefy-sync.config.json');
  const explicit = env.PIPEFY_SYNC_CONFIG !== undefined;
  const file = readConfigFile(configPath, explicit);

  const dataDir = path.resolve(cwd, env.PIPEFY_SYNC_DATA_DIR ?? file.dataDir ?? 'data');

  const connections: Record<string, ConnectionConfig> = { ...file.connections };
  const defaultConnection = connections.default ?? connectionSchema.parse({});
  connections.default = {
    ...defaultConnection,
    apiUrl: env.PIPEFY_API_URL ?? defaultConnection.apiUrl,
    token: env.PIPEFY_TOKEN ?? defaultConnection.token,
  };

  const destinations: Record<string, DestinationConfig> = {
    duckdb: destinationConfigSchema.parse({ type: 'duckdb', path: path.join(dataDir, 'pipefy.duckdb') }),
    ...file.destinations,
  };

  return {
    connections,
    configuredConnections: Object.keys(file.connections),
    destinations,
    temporal: {
      address: env.TEMPORAL_ADDRESS ?? file.temporal.address ?? '127.0.0.1:7233',
      namespace: env.TEMPORAL_NAMESPACE ?? file.temporal.namespace ?? 'default',
      taskQueue: env.PIPEFY_SYNC_TASK_QUEUE ?? file.temporal.taskQueue ?? DEFAULT_TASK_QUEUE,
    },
    dataDir,
    stagingDir: path.join(dataDir, 'staging'),
    metricsAddress: metricsAddressOf(env.PIPEFY_SYNC_METRICS_ADDRESS ?? file.metricsAddress ?? 'off'),
  };
}

function metricsAddressOf(value: string): string | null {
  if (value === '' || value === 'off') return null;
  if (!/^[^:\s]+:\d{1,5}$/.test(value)) {
    throw new ConfigurationError(`Metrics address "${value}" is invalid; use host:port such as 127.0.0.1:9464, or off.`);
  }
  return value;
}

function readConfigFile(configPath: string, explicit: boolean): z.infer<typeof fileSchema> {
  if (!existsSync(configPath)) {
    if (explicit) {
      throw new ConfigurationError(
        `Configuration file ${configPath} (PIPEFY_SYNC_CONFIG) does not exist; create it or unset PIPEFY_SYNC_CONFIG.`,
      );
    }
    return fileSchema.parse({});
  }

  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(configPath, 'utf8'));
  } catch (error) {
    throw new ConfigurationError(`Configuration file ${configPath} is not valid JSON: ${(error as Error).message}.`);
  }

  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
    throw new ConfigurationError(`Configuration file ${configPath} is invalid: ${problems.join('; ')}.`);
  }
  return parsed.data;
}

/**
 * Returns the token source for a connection, checking that one exists.
 *
 * @throws ConfigurationError when the connection is unknown or has no credentials.
 */
export function requireConnection(config: WorkerConfig, name: string, env: NodeJS.ProcessEnv = process.env): ResolvedConnection {
  const connection = config.connections[name];
  if (!connection) {
    const known = Object.keys(config.connections).join(', ');
    throw new ConfigurationError(
      `Unknown connection "${name}"; this worker has: ${known}. Add it under "connections" in the configuration file.`,
      { connection: name },
    );
  }

  const token = connection.token ?? (connection.tokenEnv ? env[connection.tokenEnv] : undefined);
  if (!token && !connection.serviceAccount) {
    const hint = name === 'default' ? 'set PIPEFY_TOKEN' : `set "token", "tokenEnv" or "serviceAccount" for it`;
    throw new ConfigurationError(`Connection "${name}" has no Pipefy credentials; ${hint}.`, { connection: name });
  }
  return { name, ...connection, token };
}

/**
 * Checks at worker start that every connection named in the configuration
 * file has credentials, so a typo fails at once rather than at the first
 * sync. The implicit `default` connection is checked only when a sync uses it.
 *
 * @throws ConfigurationError naming the connection and the fix.
 */
export function validateConnections(config: WorkerConfig, fileConnectionNames: string[], env: NodeJS.ProcessEnv = process.env): void {
  for (const name of fileConnectionNames) requireConnection(config, name, env);
}

/**
 * Checks at worker start what the configuration file cannot: that each
 * Snowflake private key file exists and opens with its passphrase.
 *
 * @throws ConfigurationError naming the destination, the setting and the fix.
 */
export function validateDestinations(config: WorkerConfig): void {
  for (const [name, destination] of Object.entries(config.destinations)) {
    if (destination.type !== 'snowflake' || destination.privateKeyPath === undefined) continue;
    const setting = `destinations.${name}.privateKeyPath`;
    let pem: string;
    try {
      pem = readFileSync(destination.privateKeyPath, 'utf8');
    } catch (error) {
      throw new ConfigurationError(
        `${setting}: cannot read ${destination.privateKeyPath} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); point it at the PEM file of the Snowflake user's private key.`,
        { destination: name },
      );
    }
    try {
      createPrivateKey({ key: pem, format: 'pem', passphrase: destination.privateKeyPassphrase });
    } catch (error) {
      // With a passphrase set, a key that does not open most likely has another passphrase.
      const message =
        destination.privateKeyPassphrase === undefined
          ? `${setting}: ${destination.privateKeyPath} cannot be opened as a private key (${(error as Error).message}); set privateKeyPassphrase if the key is encrypted.`
          : `destinations.${name}.privateKeyPassphrase: it does not open ${destination.privateKeyPath} (${(error as Error).message}); check the passphrase and the key file.`;
      throw new ConfigurationError(message, { destination: name });
    }
  }
}

export interface ResolvedConnection extends ConnectionConfig {
  name: string;
}

/**
 * Returns a destination's settings by name.
 *
 * @throws ConfigurationError listing the configured names when it is unknown.
 */
export function requireDestination(config: WorkerConfig, name: string): DestinationConfig {
  const destination = config.destinations[name];
  if (!destination) {
    const known = Object.keys(config.destinations).join(', ');
    throw new ConfigurationError(
      `Unknown destination "${name}"; this worker has: ${known}. Add it under "destinations" in the configuration file.`,
      { destination: name },
    );
  }
  return destination;
}
