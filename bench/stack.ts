import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { DestinationConfig } from '../activities/destinations/config';
import type { EmulatorStats } from '../emulator';
import { type BenchProcess, spawnTypeScript, waitForLine } from './processes';

/** Token that the benchmark emulator accepts; it guards nothing but a loopback port. */
const EMULATOR_TOKEN = 'emulator-token';

/** Generation of a large organization is lazy, but loading tsx and the schema takes a few seconds on a busy machine. */
const STARTUP_TIMEOUT_MS = 120_000;

export interface OrganizationSize {
  pipes: number;
  cardsPerPipe: number;
  tables: number;
  recordsPerTable: number;
}

export interface EmulatorProcess extends BenchProcess {
  /** GraphQL endpoint. */
  url: string;
  pipeIds: string[];
  tableIds: string[];
  readStats(): Promise<EmulatorStats>;
  resetStats(): Promise<void>;
}

/**
 * Starts `bench/emulator-process.ts` with a generated organization and a
 * request budget of `budget` per `windowSeconds` (0 turns throttling off).
 */
export async function startEmulatorProcess(
  size: OrganizationSize,
  throttle: { budget: number; windowSeconds: number },
  logFile: string,
): Promise<EmulatorProcess> {
  const args = [
    ['--pipes', size.pipes],
    ['--cards-per-pipe', size.cardsPerPipe],
    ['--tables', size.tables],
    ['--records-per-table', size.recordsPerTable],
    ['--budget', throttle.budget],
    ['--window-seconds', throttle.windowSeconds],
  ].flatMap(([name, value]) => [String(name), String(value)]);

  const started = spawnTypeScript('bench/emulator-process.ts', args, { ...process.env }, logFile);
  try {
    const line = await waitForLine(started.child, (text) => text.startsWith('{'), STARTUP_TIMEOUT_MS, 'Benchmark emulator');
    const ready = JSON.parse(line) as { url: string; pipeIds: string[]; tableIds: string[] };
    const adminUrl = new URL('/_emulator/', ready.url);

    return {
      ...started,
      ...ready,
      async readStats() {
        const response = await fetch(new URL('stats', adminUrl));
        if (!response.ok) throw new Error(`GET ${adminUrl}stats failed with HTTP ${response.status}.`);
        return (await response.json()) as EmulatorStats;
      },
      async resetStats() {
        const response = await fetch(new URL('reset-stats', adminUrl), { method: 'POST' });
        if (!response.ok) throw new Error(`POST ${adminUrl}reset-stats failed with HTTP ${response.status}.`);
      },
    };
  } catch (error) {
    await started.stop();
    throw error;
  }
}

export interface WorkerSettings {
  temporalAddress: string;
  taskQueue: string;
  emulatorUrl: string;
  /** The worker's DuckDB file, staging folder and configuration file go here. */
  dataDir: string;
  /** `undefined` keeps the worker's default. */
  requestsPerSecond?: number;
  destinations: Record<string, DestinationConfig>;
}

/**
 * Starts `worker/main.ts` as a child process configured through a
 * `PIPEFY_SYNC_CONFIG` file, and waits for its startup line.
 */
export async function startWorkerProcess(settings: WorkerSettings, logFile: string): Promise<BenchProcess> {
  mkdirSync(settings.dataDir, { recursive: true });
  const configPath = path.join(settings.dataDir, 'pipefy-sync.config.json');
  const connection: Record<string, unknown> = { apiUrl: settings.emulatorUrl, token: EMULATOR_TOKEN };
  if (settings.requestsPerSecond !== undefined) connection.requestsPerSecond = settings.requestsPerSecond;
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        connections: { default: connection },
        destinations: settings.destinations,
        temporal: { address: settings.temporalAddress, taskQueue: settings.taskQueue },
        dataDir: settings.dataDir,
      },
      null,
      2,
    ),
  );

  // Only the configuration file configures the worker: variables of the caller's shell must not override it.
  const env: NodeJS.ProcessEnv = { ...process.env, PIPEFY_SYNC_CONFIG: configPath };
  for (const name of ['PIPEFY_TOKEN', 'PIPEFY_API_URL', 'TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'PIPEFY_SYNC_TASK_QUEUE', 'PIPEFY_SYNC_DATA_DIR']) {
    delete env[name];
  }

  const worker = spawnTypeScript('worker/main.ts', [], env, logFile);
  try {
    await waitForLine(worker.child, (line) => line.startsWith('pipefy-sync worker:'), STARTUP_TIMEOUT_MS, 'Worker');
    return worker;
  } catch (error) {
    await worker.stop();
    throw error;
  }
}
