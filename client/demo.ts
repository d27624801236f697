import { DefaultLogger, NativeConnection, Runtime } from '@temporalio/worker';
import path from 'node:path';
import { openDestination } from '../activities/destinations';
import { startEmulator } from '../emulator/server';
import { PROJECT_ROOT, startTemporalDevServer } from '../scripts/local-temporal';
import { loadWorkerConfig } from '../worker/config';
import { createPipefySyncWorkers } from '../worker/create-workers';
import { collectShowReport } from './show';
import { connectClient, startSync } from './sync-client';

export interface DemoOptions {
  cardsPerPipe: number;
  uiPort: number;
  /** Keep Temporal and its Web UI up after the sync until Ctrl-C. */
  keepRunning: boolean;
}

const EMULATOR_TOKEN = 'emulator-token';

/**
 * The main job, end to end on real components: a local Temporal dev server
 * (database file under `data/temporal/`, Web UI on `uiPort`), the Pipefy
 * emulator, a worker in this process, and a sync of the emulated
 * organization into `data/pipefy.duckdb`. Prints rows per table, requests
 * and duration.
 */
export async function runDemo(options: DemoOptions): Promise<void> {
  // Worker lifecycle messages would bury the summary; warnings and errors
  // still show, except the expected one about the fetch-only task queue.
  Runtime.install({
    logger: new DefaultLogger('WARN', (entry) => {
      if (entry.message.startsWith('No workflows registered')) return;
      console.error(`${entry.level} ${entry.message}`, entry.meta ?? '');
    }),
  });
  const dataDir = path.join(PROJECT_ROOT, 'data');
  const temporal = await startTemporalDevServer({
    uiPort: options.uiPort,
    dbFile: path.join(dataDir, 'temporal', 'dev.db'),
    logFile: path.join(dataDir, 'temporal', 'server.log'),
  });
  const emulator = await startEmulator({ seed: { cardsPerPipe: options.cardsPerPipe } });
  console.log(`Temporal ${temporal.address}, Web UI ${temporal.uiUrl}`);
  console.log(`Pipefy emulator ${emulator.url}`);

  const config = loadWorkerConfig({
    PIPEFY_SYNC_DATA_DIR: dataDir,
    PIPEFY_API_URL: emulator.url,
    PIPEFY_TOKEN: EMULATOR_TOKEN,
    TEMPORAL_ADDRESS: temporal.address,
    PIPEFY_SYNC_CONFIG: undefined,
  }, PROJECT_ROOT);
  // The emulator responds as fast as it can; the budget is the emulator's own 500 per 30 s.
  config.connections.default.requestsPerSecond = 15.5;

  const connection = await NativeConnection.connect({ address: temporal.address });
  const workers = await createPipefySyncWorkers(config, connection);
  const running = workers.run();
  const client = await connectClient(config.temporal);

  try {
    const started = Date.now();
    const handle = await startSync(client, config.temporal, {}, { workflowId: `pipefy-sync-demo-${new Date().toISOString().replace(/[:.]/g, '-')}` });
    console.log(`Started workflow ${handle.workflowId}; open ${temporal.uiUrl}/namespaces/default/workflows/${handle.workflowId} to watch it.`);
    const result = await handle.result();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);

    const destination = await openDestination(config.destinations.duckdb);
    const report = await collectShowReport(destination);
    await destination.close();

    console.log('');
    console.log(`Loaded into ${config.destinations.duckdb.type === 'duckdb' ? config.destinations.duckdb.path : 'duckdb'}, schema pipefy_data:`);
    for (const table of report.tables) console.log(`  ${table.name.padEnd(28)} ${String(table.rowCount).padStart(8)} rows`);
    console.log('');
    console.log(`${result.pipes} pipes, ${result.tables} databases, ${result.requests} Pipefy requests (${emulator.stats.requests} received by the emulator), ${seconds} s.`);
  } finally {
    await client.connection.close();
    if (!options.keepRunning) {
      await workers.shutdown();
      await running;
      await connection.close();
      await emulator.close();
      await temporal.stop();
    }
  }

  if (options.keepRunning) {
    console.log(`\nTemporal Web UI: ${temporal.uiUrl} (press Ctrl-C to stop)`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await workers.shutdown();
    await running;
    await connection.close();
    await emulator.close();
    await temporal.stop();
  }
}
