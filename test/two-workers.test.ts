import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PostgresConfig } from '../activities/destinations/config';
import type { Destination } from '../activities/destinations/destination';
import { openPostgresDestination } from '../activities/destinations/postgres/postgres-destination';
import { countSeed, type RunningEmulator, startEmulator } from '../emulator';
import { type DevServer, freePort, startTemporalDevServer } from '../scripts/local-temporal';
import { type SyncResult, syncPipefyWorkflow } from '../workflows';
import { startWorkerProcess, type WorkerProcess } from './support/worker-process';

// Two worker processes share one Temporal task queue, one staging folder and
// one Pipefy token, as replicas of a deployment do. The emulator throttles
// the token past BUDGET requests in any WINDOW_SECONDS. Each worker sets the
// connection's rate to RATE requests per second, which the Temporal server
// enforces across both, so together they must stay under the budget. The
// sync needs about 31 requests, more than one window allows, so only that
// pacing keeps it unthrottled.
const SEED = { pipes: 4, cardsPerPipe: 300, tables: 2, recordsPerTable: 100 };
const BUDGET = 20;
const WINDOW_SECONDS = 5;
const RATE = 3;
const EMULATOR_TOKEN = 'emulator-token';

/** Milliseconds between two reads of the emulator's request counter. */
const SAMPLE_INTERVAL_MS = 100;

const warehouseConfig: PostgresConfig = {
  type: 'postgres',
  host: '127.0.0.1',
  port: 5432,
  user: 'postgres',
  database: 'test',
  ssl: false,
  dataset: `two_workers_${randomUUID().slice(0, 8)}`,
};

let temporalServer: DevServer;
let emulator: RunningEmulator;
let workers: WorkerProcess[] = [];
let connection: Connection;
let client: Client;
let warehouse: Destination;
let dataDir: string;
const taskQueue = `pipefy-sync-two-workers-${randomUUID()}`;

beforeAll(async () => {
  [temporalServer, emulator] = await Promise.all([
    startTemporalDevServer(),
    startEmulator({ seed: SEED, tokens: [EMULATOR_TOKEN], budget: BUDGET, windowSeconds: WINDOW_SECONDS }),
  ]);
  dataDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-two-workers-'));
  // Opened before the workers start, so that they do not race to create the schema.
  warehouse = await openPostgresDestination(warehouseConfig);

  const workerSettings = async () => ({
    env: {
      TEMPORAL_ADDRESS: temporalServer.address,
      PIPEFY_API_URL: emulator.url,
      PIPEFY_TOKEN: EMULATOR_TOKEN,
      PIPEFY_SYNC_DATA_DIR: dataDir,
      PIPEFY_SYNC_TASK_QUEUE: taskQueue,
      // Each process serves its metrics on a port of its own.
      PIPEFY_SYNC_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
    },
    config: {
      connections: { default: { requestsPerSecond: RATE } },
      destinations: { pg: warehouseConfig },
    },
    configFile: path.join(dataDir, 'worker-config.json'),
    // Both processes bundle the workflow code at start, on the same cores.
    startTimeoutMs: 120_000,
  });
  workers = await Promise.all([startWorkerProcess(await workerSettings()), startWorkerProcess(await workerSettings())]);

  connection = await Connection.connect({ address: temporalServer.address });
  client = new Client({ connection });
});

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await connection?.close();
  await warehouse?.close();
  await emulator?.close();
  await temporalServer?.stop();
  await dropDataset(warehouseConfig.dataset);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('two worker processes', () => {
  let result: SyncResult;
  let samples: RequestSample[];
  let workflowId: string;

  beforeAll(async () => {
    workflowId = `two-workers-${randomUUID()}`;
    const sampler = sampleRequests(emulator);
    try {
      result = await client.workflow.execute(syncPipefyWorkflow, {
        taskQueue,
        workflowId,
        args: [{ destination: 'pg' }],
      });
    } finally {
      samples = sampler.stop();
    }
  });

  it('both run activities', async () => {
    const identities = await activityIdentities(client, workflowId);
    const expected = workers.map((worker) => `${worker.child.pid}@${hostname()}`);

    expect([...identities.keys()].sort()).toEqual([...expected].sort());
    for (const identity of expected) expect(identities.get(identity)).toBeGreaterThan(0);
  });

  it('stay within the request budget', () => {
    const requests = emulator.stats.requests;
    const durationSeconds = (samples[samples.length - 1].at - samples[0].at) / 1000;

    // More requests than one window allows: only pacing keeps the sync unthrottled.
    expect(requests).toBeGreaterThan(BUDGET);
    expect(emulator.stats.throttled).toBe(0);
    expect(requests / durationSeconds).toBeLessThanOrEqual(BUDGET / WINDOW_SECONDS);
    expect(maxRequestsPerWindow(samples, WINDOW_SECONDS * 1000)).toBeLessThanOrEqual(BUDGET);
    expect(result.requests).toBe(requests);
  });

  it('load every row once', async () => {
    const expected = countSeed(emulator.state.organization);
    const counts: Record<string, number> = {};
    for (const table of await warehouse.listTables()) counts[table.name] = table.rowCount;

    for (const [table, rows] of Object.entries(expected)) {
      expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows });
    }
    const cardIds = (await warehouse.readRows('cards', ['id'])).map((card) => String(card.id));
    expect(new Set(cardIds).size).toBe(cardIds.length);
    expect(cardIds).toHaveLength(SEED.pipes * SEED.cardsPerPipe);
  });
});

interface RequestSample {
  /** Epoch milliseconds. */
  at: number;
  /** The emulator's request counter at that time. */
  requests: number;
}

/** Reads the emulator's request counter every {@link SAMPLE_INTERVAL_MS} until `stop` is called. */
function sampleRequests(server: RunningEmulator): { stop(): RequestSample[] } {
  const samples: RequestSample[] = [{ at: Date.now(), requests: server.stats.requests }];
  const timer = setInterval(() => samples.push({ at: Date.now(), requests: server.stats.requests }), SAMPLE_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      samples.push({ at: Date.now(), requests: server.stats.requests });
      return samples;
    },
  };
}

/**
 * Returns an upper bound of the requests in any window of `windowMs`: for
 * every sample, the growth of the counter until the first sample at least
 * `windowMs` later (or the last sample). The bound overcounts by at most the
 * requests of two sample intervals.
 */
function maxRequestsPerWindow(samples: RequestSample[], windowMs: number): number {
  let max = 0;
  let end = 0;
  for (let start = 0; start < samples.length; start += 1) {
    while (end < samples.length - 1 && samples[end].at < samples[start].at + windowMs) end += 1;
    max = Math.max(max, samples[end].requests - samples[start].requests);
  }
  return max;
}

/**
 * Counts started activity tasks by worker identity across the sync workflow
 * and its child workflows, from their Temporal histories.
 */
async function activityIdentities(temporalClient: Client, parentId: string): Promise<Map<string, number>> {
  const parent = await temporalClient.workflow.getHandle(parentId).fetchHistory();
  const childIds = (parent.events ?? [])
    .map((event) => event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId)
    .filter((id): id is string => typeof id === 'string');
  expect(childIds.length).toBe(SEED.pipes + SEED.tables);

  const counts = new Map<string, number>();
  const histories: Array<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>> = [parent];
  for (const childId of childIds) histories.push(await temporalClient.workflow.getHandle(childId).fetchHistory());
  for (const history of histories) {
    for (const event of history.events ?? []) {
      const identity = event.activityTaskStartedEventAttributes?.identity;
      if (identity) counts.set(identity, (counts.get(identity) ?? 0) + 1);
    }
  }
  return counts;
}

async function dropDataset(dataset: string): Promise<void> {
  const admin = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await admin.connect();
  try {
    await admin.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await admin.end();
  }
}
