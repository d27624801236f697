import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresConfig } from '../../activities/destinations/config';
import type { Destination } from '../../activities/destinations/destination';
import { openPostgresDestination } from '../../activities/destinations/postgres/postgres-destination';
import { countSeed } from '../../emulator';
import { syncPipefyWorkflow } from '../../workflows';
import { type SyncStack, startSyncStack } from '../support/sync-stack';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { countLoads, expectWarehouseMatches, historyEvents, syncWorkflowIds, waitUntil } from './sync-checks';

const SEED = { pipes: 3, cardsPerPipe: 150, tables: 2, recordsPerTable: 60 };
const PAGES = 3 * 3 + 2 * 2;
const OUTAGE_MS = 10_000;
const POSTGRES_PORT = 5432;

const direct: PostgresConfig = {
  type: 'postgres',
  host: '127.0.0.1',
  port: POSTGRES_PORT,
  user: 'postgres',
  database: 'test',
  ssl: false,
  dataset: `faults_outage_${randomUUID().slice(0, 8)}`,
};

let stack: SyncStack;
let proxy: TcpProxy;
let warehouse: Destination;

beforeAll(async () => {
  proxy = await startTcpProxy({ targetPort: POSTGRES_PORT });
  // The test reads PostgreSQL directly. Only the worker goes through the proxy.
  warehouse = await openPostgresDestination(direct);
  stack = await startSyncStack({ requestsPerSecond: 5, emulator: { seed: SEED, budget: 0 } });
  stack.config.destinations.pg = { ...direct, port: proxy.port };
});

afterAll(async () => {
  await stack?.stop();
  await warehouse?.close();
  await proxy?.close();
  await dropDataset(direct.dataset);
});

describe('PostgreSQL down mid-sync', () => {
  it('retries loads until it returns', async () => {
    const workflowId = stack.uniqueId('warehouse-outage');
    const handle = await stack.client.workflow.start(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{ destination: 'pg' }],
    });

    await waitUntil('three batches are loaded', async () => (await countLoads(warehouse)) >= 3);
    await proxy.pause();
    const loadedAtPause = await countLoads(warehouse);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const loadedDuringOutage = (await countLoads(warehouse)) - loadedAtPause;
    const acceptedBeforeResume = proxy.accepted;
    await proxy.resume();

    const result = await handle.result();

    expect(loadedDuringOutage).toBe(0);
    expect(loadedAtPause).toBeLessThan(PAGES + 1);
    expect(proxy.accepted).toBeGreaterThan(acceptedBeforeResume);
    expect(result.pages).toBe(PAGES);
    await expectWarehouseMatches(warehouse, { ...countSeed(stack.emulator.state.organization) });

    // Temporal records the attempt that succeeded, so an attempt above 1 follows a load that failed during the outage.
    const events = await historyEvents(stack.client, syncWorkflowIds(workflowId, stack.emulator.state.organization));
    const retriedAttempts = events
      .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0)
      .filter((attempt) => attempt > 1);
    expect(retriedAttempts.length).toBeGreaterThan(0);
  });
});

async function dropDataset(dataset: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port: POSTGRES_PORT, user: 'postgres', database: 'test' });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await admin.end();
  }
}
