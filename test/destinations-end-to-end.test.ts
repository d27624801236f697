import { isDeepStrictEqual } from 'node:util';

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { DestinationConfig } from '../activities/destinations/config';
import type { Destination } from '../activities/destinations/destination';
import { FIXED_TABLES } from '../activities/warehouse/tables';
import { LINEAGE_COLUMNS, type Row } from '../activities/warehouse/table-schema';
import { countSeed, generateOrganization, type SeedCounts } from '../emulator';
import { syncPipefyWorkflow } from '../workflows';
import { rowCounts, type SyncStack, startSyncStack } from './support/sync-stack';
import { startBqemulator, startFakesnow, type BqemulatorServer, type FakesnowServer } from './support/warehouse-servers';

// Without these variables the drivers probe cloud metadata hosts to detect their platform.
vi.hoisted(() => {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.METADATA_SERVER_DETECTION = 'none';
});

// fakesnow needs seconds for each statement batch, so the organization stays small.
const SEED = { pipes: 2, cardsPerPipe: 60, tables: 1, recordsPerTable: 20 };
const POSTGRES = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const DATASET = `e2e_${process.pid}_${Date.now()}`;
const SYNC_TIMEOUT_MS = 15 * 60_000;

/** Tables that hold sync bookkeeping whose ids and times differ per sync. */
const BOOKKEEPING_TABLES = new Set(['_pipefy_loads', '_pipefy_state']);
const LINEAGE = new Set(LINEAGE_COLUMNS.map((column) => column.name));
const PRIMARY_KEYS = new Map(FIXED_TABLES.map((table) => [table.name, table.primaryKey]));

type WarehouseName = 'postgres' | 'snowflake' | 'bigquery';

interface SyncOutcome {
  destination?: Destination;
  /** Why the destination was not synced, for a warehouse that cannot run here. */
  skipped?: string;
  error?: unknown;
}

/** One value that differs between DuckDB and another destination. */
interface ValueDifference {
  table: string;
  key: string;
  column: string;
  duckdb: unknown;
  other: unknown;
}

let stack: SyncStack;
let fakesnow: FakesnowServer | undefined;
let bqemulator: BqemulatorServer | undefined;
let expected: SeedCounts;
let reference: Destination;
const outcomes = new Map<WarehouseName, SyncOutcome>();

beforeAll(async () => {
  expected = countSeed(generateOrganization(SEED));
  [stack, fakesnow, bqemulator] = await Promise.all([startSyncStack({ emulator: { seed: SEED } }), startFakesnow(), startBqemulator()]);

  stack.config.destinations.postgres = { type: 'postgres', ...POSTGRES, ssl: false, dataset: DATASET };
  stack.config.destinations.snowflake = {
    type: 'snowflake',
    account: 'fakesnow',
    username: 'fakesnow',
    password: 'fakesnow',
    database: 'pipefy',
    accessUrl: fakesnow.accessUrl,
    dataset: DATASET,
  };
  stack.config.destinations.bigquery = {
    type: 'bigquery',
    projectId: bqemulator.projectId,
    location: 'US',
    apiEndpoint: bqemulator.apiEndpoint,
    dataset: DATASET,
  };

  const bigquerySkip = await bigqueryMissing(stack.config.destinations.bigquery);
  if (bigquerySkip) outcomes.set('bigquery', { skipped: bigquerySkip });

  // The workers read `config.destinations` when an activity runs, so the names added above resolve.
  const names: WarehouseName[] = ['postgres', 'snowflake', 'bigquery'];
  await Promise.all([
    runSync('duckdb'),
    ...names.filter((name) => !outcomes.has(name)).map((name) => syncInto(name)),
  ]);
  reference = await stack.openWarehouse();
}, SYNC_TIMEOUT_MS);

afterAll(async () => {
  await reference?.close();
  for (const outcome of outcomes.values()) await outcome.destination?.close();
  await stack?.stop();
  await Promise.all([fakesnow?.close(), bqemulator?.close()]);
  await dropPostgresDataset();
}, 120_000);

function runSync(destination: string) {
  return stack.client.workflow.execute(syncPipefyWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: stack.uniqueId(`destinations-${destination}`),
    args: [{ destination }],
  });
}

/** Runs a sync into `name` and opens the destination for reading; keeps the error instead of throwing. */
async function syncInto(name: WarehouseName): Promise<void> {
  try {
    await runSync(name);
    const { openDestination } = await import('../activities/destinations');
    outcomes.set(name, { destination: await openDestination(stack.config.destinations[name]) });
  } catch (error) {
    outcomes.set(name, { error });
  }
}

/**
 * Returns why BigQuery cannot run yet, or `undefined` once its destination
 * exists. NOTE: the check goes away when the BigQuery destination lands.
 */
async function bigqueryMissing(config: DestinationConfig): Promise<string | undefined> {
  const { openDestination } = await import('../activities/destinations');
  try {
    await (await openDestination(config)).close();
    return undefined;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/not implemented/i.test(message)) return `the BigQuery destination is not built yet: ${message}`;
    throw error;
  }
}

async function dropPostgresDataset(): Promise<void> {
  const client = new pg.Client(POSTGRES);
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${DATASET}" CASCADE`);
  } finally {
    await client.end();
  }
}

function primaryKeyOf(table: string): string[] {
  const fixed = PRIMARY_KEYS.get(table);
  if (fixed) return fixed;
  if (/^pipe_\w+_cards$/.test(table)) return ['card_id'];
  if (/^table_\w+_records$/.test(table)) return ['record_id'];
  throw new Error(`No primary key known for table "${table}"; add it to primaryKeyOf.`);
}

function withoutLineage(row: Row): Row {
  return Object.fromEntries(Object.entries(row).filter(([column]) => !LINEAGE.has(column)));
}

/**
 * Lists every value of `other` that differs from `duckdb`, matching rows by
 * primary key rather than by position, because text ordering follows each
 * warehouse's collation. A column missing on one side shows as `undefined`.
 */
function valueDifferences(table: string, keyColumns: string[], duckdb: Row[], other: Row[]): ValueDifference[] {
  const keyOf = (row: Row) => JSON.stringify(keyColumns.map((column) => row[column]));
  const otherByKey = new Map(other.map((row) => [keyOf(row), withoutLineage(row)]));
  const differences: ValueDifference[] = [];

  for (const raw of duckdb) {
    const row = withoutLineage(raw);
    const key = keyOf(row);
    const match = otherByKey.get(key) ?? {};
    const columns = new Set([...Object.keys(row), ...Object.keys(match)]);
    for (const column of columns) {
      if (!isDeepStrictEqual(row[column], match[column])) differences.push({ table, key, column, duckdb: row[column], other: match[column] });
    }
  }
  return differences;
}

describe('one sync into every destination', () => {
  it('loads every seeded row into DuckDB', async () => {
    const counts = await rowCounts(reference);

    for (const [table, count] of Object.entries(expected)) {
      expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows: count });
    }
  });

  for (const name of ['postgres', 'snowflake', 'bigquery'] as const) {
    it(`matches DuckDB row counts in ${name}`, async ({ skip }) => {
      const outcome = outcomes.get(name);
      skip(outcome?.skipped !== undefined, outcome?.skipped);
      expect(outcome?.error).toBeUndefined();

      const duckdbCounts = await dataCounts(reference);
      const otherCounts = await dataCounts(outcome!.destination!);
      expect(otherCounts).toEqual(duckdbCounts);
    });

    it(`matches DuckDB values in ${name}`, async ({ skip }) => {
      const outcome = outcomes.get(name);
      skip(outcome?.skipped !== undefined, outcome?.skipped);
      expect(outcome?.error).toBeUndefined();

      const differences: ValueDifference[] = [];
      for (const table of Object.keys(await dataCounts(reference))) {
        const keyColumns = primaryKeyOf(table);
        const duckdbRows = await reference.readRows(table, keyColumns);
        const otherRows = await outcome!.destination!.readRows(table, keyColumns);
        differences.push(...valueDifferences(table, keyColumns, duckdbRows, otherRows));
      }
      expect(differences).toEqual([]);
    });
  }
});

/** Row counts of the data tables, without the bookkeeping tables. */
async function dataCounts(destination: Destination): Promise<Record<string, number>> {
  const counts = await rowCounts(destination);
  for (const table of BOOKKEEPING_TABLES) delete counts[table];
  return counts;
}
