import { Client, Connection } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresConfig } from '../../activities/destinations/config';
import type { Destination } from '../../activities/destinations/destination';
import { openPostgresDestination } from '../../activities/destinations/postgres/postgres-destination';
import { countSeed, type RunningEmulator, startEmulator } from '../../emulator';
import { type DevServer, startTemporalDevServer } from '../../scripts/local-temporal';
import { syncPipefyWorkflow } from '../../workflows';
import { startWorkerProcess, type WorkerProcess } from '../support/worker-process';
import { countLoads, expectWarehouseMatches, waitUntil } from './sync-checks';

// 3 pipes of 150 cards and 2 databases of 60 records: 13 pages. At 5 requests
// per second the sync takes several seconds, long enough to kill the worker mid-way.
const SEED = { pipes: 3, cardsPerPipe: 150, tables: 2, recordsPerTable: 60 };
const PAGES = 3 * 3 + 2 * 2;
// Two pages per batch: each pipe loads pages 0-1 and then page 2, each database pages 0-1.
const ITEMS_PER_LOAD = 100;
const BATCHES = 3 * 2 + 2 * 1;

const warehouseConfig: PostgresConfig = {
  type: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'test',
  ssl: false,
  dataset: `faults_worker_${randomUUID().slice(0, 8)}`,
};

let temporal: DevServer;
let emulator: RunningEmulator;
let worker: WorkerProcess;
let connection: Connection;
let client: Client;
let warehouse: Destination;
let dataDir: string;
const taskQueue = `pipefy-sync-faults-${randomUUID()}`;

beforeAll(async () => {
  temporal = await startTemporalDevServer();
  emulator = await startEmulator({ seed: SEED, budget: 0 });
  dataDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-worker-crash-'));
  // Opened before the worker starts, so the two never race to create the schema.
  warehouse = await openPostgresDestination(warehouseConfig);

  worker = await startWorkerProcess({
    env: {
      TEMPORAL_ADDRESS: temporal.address,
      PIPEFY_API_URL: emulator.url,
      PIPEFY_TOKEN: 'emulator-token',
      PIPEFY_SYNC_DATA_DIR: dataDir,
      PIPEFY_SYNC_TASK_QUEUE: taskQueue,
    },
    config: {
      connections: { default: { requestsPerSecond: 5 } },
      destinations: { pg: warehouseConfig },
    },
    configFile: path.join(dataDir, 'worker-config.json'),
  });

  connection = await Connection.connect({ address: temporal.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await warehouse?.close();
  await emulator?.close();
  await temporal?.stop();
  await dropDataset(warehouseConfig.dataset);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('worker killed mid-sync', () => {
  it('resumes the same workflow exactly', async () => {
    const handle = await client.workflow.start(syncPipefyWorkflow, {
      taskQueue,
      workflowId: `worker-crash-${randomUUID()}`,
      args: [{ destination: 'pg', itemsPerLoad: ITEMS_PER_LOAD }],
    });

    // The metadata batch plus a few pages: the sync is under way but far from done.
    await waitUntil('four batches are loaded', async () => (await countLoads(warehouse)) >= 4);
    await worker.kill();
    const loadedAtKill = await countLoads(warehouse);
    expect(loadedAtKill).toBeLessThan(BATCHES + 1);

    await worker.restart();
    const result = await handle.result();

    const description = await handle.describe();
    expect(description.runId).toBe(handle.firstExecutionRunId);
    expect(result.pages).toBe(PAGES);
    await expectWarehouseMatches(warehouse, { ...countSeed(emulator.state.organization) });

    // Page loads only: the metadata batch and the deletion scans have load ids of their own.
    const loads = await warehouse.readRows('_pipefy_loads', ['load_id']);
    const pageLoads = loads.filter((load) => /\/(cards|table_records)\/[^/]+\/\d+$/.test(String(load.load_id)));
    expect(pageLoads.length).toBe(BATCHES);
  });
});

async function dropDataset(dataset: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await admin.end();
  }
}
