import { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openDestination } from '../../activities/destinations';
import type { Destination } from '../../activities/destinations/destination';
import { type EmulatorOptions, type RunningEmulator, startEmulator } from '../../emulator';
import { type DevServer, startTemporalDevServer } from '../../scripts/local-temporal';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config';
import { createPipefySyncWorkers, type PipefySyncWorkers } from '../../worker/create-workers';

export const EMULATOR_TOKEN = 'emulator-token';

let runtimeInstalled = false;

export interface SyncStack {
  temporal: DevServer;
  emulator: RunningEmulator;
  config: WorkerConfig;
  client: Client;
  workers: PipefySyncWorkers;
  dataDir: string;
  /** Opens the stack's DuckDB file; close it before the next sync writes. */
  openWarehouse(): Promise<Destination>;
  /** A workflow id no other test uses. */
  uniqueId(prefix: string): string;
  stop(): Promise<void>;
}

export interface SyncStackOptions {
  emulator?: EmulatorOptions;
  /** Extra connections besides `default` (which points at the emulator). */
  connections?: Record<string, { token: string; requestsPerSecond?: number }>;
  /**
   * Extra connections that hold only service-account credentials, with the
   * emulator's `/oauth/token` as token URL. Pair them with
   * `emulator.serviceAccounts`.
   */
  serviceAccountConnections?: Record<string, { clientId: string; clientSecret: string; requestsPerSecond?: number }>;
  requestsPerSecond?: number;
  /** An already running Temporal server to reuse. */
  temporal?: DevServer;
}

/**
 * Starts a real Temporal dev server, the Pipefy emulator and the project's
 * workers on a task queue of their own, with DuckDB in a fresh folder.
 */
export async function startSyncStack(options: SyncStackOptions = {}): Promise<SyncStack> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }

  const temporal = options.temporal ?? (await startTemporalDevServer());
  const emulator = await startEmulator(options.emulator);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-test-'));

  const config = loadWorkerConfig(
    {
      PIPEFY_SYNC_DATA_DIR: dataDir,
      PIPEFY_API_URL: emulator.url,
      PIPEFY_TOKEN: EMULATOR_TOKEN,
      TEMPORAL_ADDRESS: temporal.address,
      PIPEFY_SYNC_TASK_QUEUE: `pipefy-sync-test-${randomUUID()}`,
    },
    dataDir,
  );
  config.connections.default.requestsPerSecond = options.requestsPerSecond ?? 50;
  for (const [name, connection] of Object.entries(options.connections ?? {})) {
    config.connections[name] = {
      ...config.connections.default,
      token: connection.token,
      requestsPerSecond: connection.requestsPerSecond ?? config.connections.default.requestsPerSecond,
    };
  }
  const tokenUrl = new URL('/oauth/token', emulator.url).toString();
  for (const [name, account] of Object.entries(options.serviceAccountConnections ?? {})) {
    config.connections[name] = {
      ...config.connections.default,
      token: undefined,
      serviceAccount: { clientId: account.clientId, clientSecret: account.clientSecret, tokenUrl },
      requestsPerSecond: account.requestsPerSecond ?? config.connections.default.requestsPerSecond,
    };
  }

  const nativeConnection = await NativeConnection.connect({ address: temporal.address });
  const workers = await createPipefySyncWorkers(config, nativeConnection);
  const running = workers.run();
  const clientConnection = await (await import('@temporalio/client')).Connection.connect({ address: temporal.address });
  const client = new Client({ connection: clientConnection, namespace: config.temporal.namespace });

  return {
    temporal,
    emulator,
    config,
    client,
    workers,
    dataDir,
    openWarehouse: () => openDestination(config.destinations.duckdb),
    uniqueId: (prefix) => `${prefix}-${randomUUID()}`,
    async stop() {
      await workers.shutdown();
      await running;
      await clientConnection.close();
      await nativeConnection.close();
      await emulator.close();
      if (!options.temporal) await temporal.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Row count of every table, by name. */
export async function rowCounts(destination: Destination): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await destination.listTables()) counts[table.name] = table.rowCount;
  return counts;
}
