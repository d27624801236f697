import net from 'node:net';
import { isDeepStrictEqual } from 'node:util';

import type { WorkflowHandle } from '@temporalio/client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { PostgresConfig } from '../activities/destinations/config';
import type { Destination } from '../activities/destinations/destination';
import { openPostgresDestination } from '../activities/destinations/postgres/postgres-destination';
import { FIXED_TABLES } from '../activities/warehouse/tables';
import { LINEAGE_COLUMNS, type Row } from '../activities/warehouse/table-schema';
import { countSeed, generateOrganization, type SeedCounts } from '../emulator';
import { syncPipefyWorkflow } from '../workflows';
import { failureOf } from './support/workflow-failures';
import { rowCounts, type SyncStack, startSyncStack } from './support/sync-stack';

// Without these variables the drivers probe cloud metadata hosts to detect their platform.
vi.hoisted(() => {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.METADATA_SERVER_DETECTION = 'none';
});

// NOTE: Snowflake credentials are not tested here, because fakesnow 0.12.1 accepts
// any user, any password and a missing database.

// Two requests per second spread the pages of a sync over several seconds, so an outage can start between two loads.
const SEED = { pipes: 2, cardsPerPipe: 60, tables: 1, recordsPerTable: 20 };
const REQUESTS_PER_SECOND = 2;
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const DATASET_PREFIX = `failures_${process.pid}_${Date.now()}`;
const PASSWORD = 'pipefy-sync-test-password';
/** Non-retryable failures end the sync well within this, while retries would take minutes. */
const FAST_FAILURE_MS = 30_000;

const LINEAGE = new Set(LINEAGE_COLUMNS.map((column) => column.name));
const BOOKKEEPING_TABLES = new Set(['_pipefy_loads', '_pipefy_state']);

let stack: SyncStack;
let expected: SeedCounts;
const datasets: string[] = [];
const proxies: LoopbackProxy[] = [];

beforeAll(async () => {
  expected = countSeed(generateOrganization(SEED));
  stack = await startSyncStack({ emulator: { seed: SEED }, requestsPerSecond: REQUESTS_PER_SECOND });
});

afterAll(async () => {
  for (const proxy of proxies) await proxy.close();
  await stack?.stop();

  const client = new pg.Client(POSTGRES);
  await client.connect();
  try {
    for (const dataset of datasets) await client.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await client.end();
  }
});

/** Adds a PostgreSQL destination to the running workers' configuration, which they read when a load runs. */
function addPostgresDestination(name: string, settings: Partial<PostgresConfig>): PostgresConfig {
  const dataset = `${DATASET_PREFIX}_${name}`;
  datasets.push(dataset);
  const config: PostgresConfig = { type: 'postgres', ...POSTGRES, ssl: false, dataset, ...settings };
  stack.config.destinations[name] = config;
  return config;
}

function startSync(destination: string, prefix: string): Promise<WorkflowHandle<typeof syncPipefyWorkflow>> {
  return stack.client.workflow.start(syncPipefyWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: stack.uniqueId(prefix),
    // One page per batch, so that an outage can fall between two loads of one pipe.
    args: [{ destination, itemsPerLoad: 50 }],
  });
}

/** Returns the attempt number of every `loadStagedBatch` that started, from the workflow's history. */
async function loadAttempts(workflowId: string): Promise<number[]> {
  const history = await stack.client.workflow.getHandle(workflowId).fetchHistory();
  const events = history.events ?? [];
  const loads = new Set(
    events
      .filter((event) => event.activityTaskScheduledEventAttributes?.activityType?.name === 'loadStagedBatch')
      .map((event) => Number(event.eventId)),
  );
  return events
    .filter((event) => loads.has(Number(event.activityTaskStartedEventAttributes?.scheduledEventId)))
    .map((event) => event.activityTaskStartedEventAttributes?.attempt ?? 0);
}

/** Finds the running `loadStagedBatch` of a workflow, with its attempt and last failure; `undefined` when none runs. */
async function pendingLoad(workflowId: string) {
  const description = await stack.client.workflow.getHandle(workflowId).describe();
  return description.raw.pendingActivities?.find((activity) => activity.activityType?.name === 'loadStagedBatch');
}

async function waitUntil(what: string, condition: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting until ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Reads every data table's rows without lineage columns, keyed by table name and primary key. */
async function snapshotRows(destination: Destination): Promise<Map<string, Row>> {
  const keys = new Map(FIXED_TABLES.map((table) => [table.name, table.primaryKey]));
  const rows = new Map<string, Row>();
  for (const table of await destination.listTables()) {
    if (BOOKKEEPING_TABLES.has(table.name)) continue;
    const keyColumns = keys.get(table.name) ?? [table.name.startsWith('pipe_') ? 'card_id' : 'record_id'];
    for (const row of await destination.readRows(table.name, keyColumns)) {
      const data = Object.fromEntries(Object.entries(row).filter(([column]) => !LINEAGE.has(column)));
      rows.set(JSON.stringify([table.name, ...keyColumns.map((column) => row[column])]), data);
    }
  }
  return rows;
}

/** Lists the keys of the `before` rows that are missing from `after` or contain other values. */
function changedRows(before: Map<string, Row>, after: Map<string, Row>): string[] {
  return [...before].filter(([key, row]) => !isDeepStrictEqual(after.get(key), row)).map(([key]) => key);
}

describe('destination credentials', () => {
  it('fails fast on unknown postgres role', async () => {
    addPostgresDestination('pg_unknown_role', { user: 'no_such_user', password: PASSWORD });
    const started = Date.now();
    const handle = await startSync('pg_unknown_role', 'unknown-role');
    const failure = await failureOf(handle.result());

    expect(Date.now() - started).toBeLessThan(FAST_FAILURE_MS);
    expect(failure.type).toBe('DestinationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('role "no_such_user" does not exist');
    expect(failure.message).toContain('(28000)');
    expect(failure.message).toContain('Check the user and password of the destination configuration.');
    expect(failure.message).not.toContain(PASSWORD);
    expect(JSON.stringify(failure.details)).not.toContain(PASSWORD);
    expect(await loadAttempts(handle.workflowId)).toEqual([1]);
  });

  it('fails fast on missing postgres database', async () => {
    addPostgresDestination('pg_missing_database', { database: 'no_such_db', password: PASSWORD });
    const started = Date.now();
    const handle = await startSync('pg_missing_database', 'missing-database');
    const failure = await failureOf(handle.result());

    expect(Date.now() - started).toBeLessThan(FAST_FAILURE_MS);
    expect(failure.type).toBe('DestinationError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('database "no_such_db" does not exist');
    expect(failure.message).toContain('(3D000)');
    expect(failure.message).toContain('Create the database or correct `database` in the destination configuration.');
    expect(failure.message).not.toContain(PASSWORD);
    expect(await loadAttempts(handle.workflowId)).toEqual([1]);
  });
});

describe('unreachable destination', () => {
  it('resumes once the warehouse answers', async () => {
    const port = await freeLoopbackPort();
    const config = addPostgresDestination('pg_outage', { port });
    const reader = await openPostgresDestination({ ...config, port: POSTGRES.port });
    try {
      const handle = await startSync('pg_outage', 'outage');

      // Nothing listens on the port, so the metadata load fails as retryable and is retried.
      await waitUntil('the metadata load is in its third attempt', async () => ((await pendingLoad(handle.workflowId))?.attempt ?? 0) >= 3);
      const refused = await pendingLoad(handle.workflowId);
      expect(refused?.lastFailure?.applicationFailureInfo?.type).toBe('DestinationError');
      expect(refused?.lastFailure?.applicationFailureInfo?.nonRetryable).toBeFalsy();
      expect(refused?.lastFailure?.message).toContain('ECONNREFUSED');

      const proxy = await startLoopbackProxy(port, POSTGRES.port);
      proxies.push(proxy);

      // Let a few pages land, then cut every connection in the middle of the sync.
      await waitUntil('three batches are loaded', async () => ((await rowCounts(reader))._pipefy_loads ?? 0) >= 3);
      await proxy.pause();
      const loadedBefore = await snapshotRows(reader);
      const childIds = await childWorkflowIds(handle);
      await waitUntil('a page load is retried during the outage', async () => {
        for (const childId of childIds) {
          if (((await pendingLoad(childId))?.attempt ?? 0) >= 2) return true;
        }
        return false;
      });
      expect(changedRows(loadedBefore, await snapshotRows(reader))).toEqual([]);

      await proxy.resume();
      const result = await handle.result();

      const counts = await rowCounts(reader);
      for (const [table, count] of Object.entries(expected)) {
        expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows: count });
      }
      expect(result.pipes).toBe(SEED.pipes);
      expect(result.tables).toBe(SEED.tables);
      expect(changedRows(loadedBefore, await snapshotRows(reader))).toEqual([]);

      expect(Math.max(...(await loadAttempts(handle.workflowId)))).toBeGreaterThanOrEqual(3);
      const childAttempts = await Promise.all(childIds.map((childId) => loadAttempts(childId)));
      expect(Math.max(...childAttempts.flat())).toBeGreaterThanOrEqual(2);
    } finally {
      await reader.close();
    }
  }, 300_000);
});

/** Returns the ids of the sync's child workflows, one per pipe and database, once all of them started. */
async function childWorkflowIds(handle: WorkflowHandle): Promise<string[]> {
  const ids: string[] = [];
  await waitUntil('every child workflow started', async () => {
    const history = await handle.fetchHistory();
    ids.length = 0;
    for (const event of history.events ?? []) {
      const id = event.childWorkflowExecutionStartedEventAttributes?.workflowExecution?.workflowId;
      if (id) ids.push(id);
    }
    return ids.length === SEED.pipes + SEED.tables;
  });
  return ids;
}

/** Finds a port on 127.0.0.1 that nothing listens on at the moment. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface LoopbackProxy {
  /** Resets every open connection and stops listening, so new connections are refused. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  close(): Promise<void>;
}

/** Forwards connections on 127.0.0.1:`port` to 127.0.0.1:`targetPort`, and nowhere else. */
async function startLoopbackProxy(port: number, targetPort: number): Promise<LoopbackProxy> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    // Resets are expected here, and the close handlers tear down each pair.
    socket.on('error', () => undefined);
  };
  const forward = (client: net.Socket) => {
    const upstream = net.connect({ host: '127.0.0.1', port: targetPort });
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once('close', () => upstream.destroy());
    upstream.once('close', () => client.destroy());
  };
  const listen = () =>
    new Promise<net.Server>((resolve, reject) => {
      const server = net.createServer(forward);
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve(server));
    });

  let server = await listen();
  const stop = async () => {
    const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const socket of sockets) {
      // A socket that has not connected yet has no handle to reset.
      if (socket.connecting) socket.destroy();
      else socket.resetAndDestroy();
    }
    await closed;
  };
  return {
    pause: stop,
    async resume() {
      if (!server.listening) server = await listen();
    },
    close: stop,
  };
}
