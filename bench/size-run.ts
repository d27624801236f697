import { Client, Connection } from '@temporalio/client';
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { DestinationConfig } from '../activities/destinations/config';
import { openDestination } from '../activities/destinations';
import { PROJECT_ROOT, startTemporalDevServer } from '../scripts/local-temporal';
import { type MeasuredProcesses, measureSync, type SyncMeasurement } from './measure-sync';
import { type OrganizationSize, startEmulatorProcess, startWorkerProcess } from './stack';
import { dropPostgresSchema, POSTGRES_BENCH } from './postgres-schema';

/** Request budget per token that the README gives for Pipefy and the emulator enforces by default: 500 per 30-second window. */
export const PIPEFY_BUDGET = { budget: 500, windowSeconds: 30 };

/** `requestsPerSecond` of the worker in the unthrottled run: far above what the stack can serve. */
const UNTHROTTLED_REQUESTS_PER_SECOND = 1000;

export type BenchDestination = 'duckdb' | 'postgres';

export interface SizeRunOptions {
  cards: number;
  destination: BenchDestination;
  /** `parallelism` of the sync input; `undefined` keeps the workflow's default. */
  parallelism?: number;
  /** Folder for worker and emulator logs. */
  logDir: string;
}

/** Everything measured for one organization size and destination. */
export interface SizeRunResult {
  cards: number;
  destination: BenchDestination;
  organization: OrganizationSize;
  /** (a) full sync with Pipefy's budget and the worker's default rate. */
  budgeted: SyncMeasurement;
  /** (b) incremental sync of the unchanged organization right after (a). */
  incremental: SyncMeasurement;
  /** (c) full sync into an empty destination with throttling off. */
  unthrottled: SyncMeasurement;
  /** Rows in the warehouse after (b) and after (c). */
  loaded: { budgeted: WarehouseCounts; unthrottled: WarehouseCounts };
  /** Product code each phase's worker loaded; others may change the checkout between phases. */
  code: { budgeted: CodeVersion; unthrottled: CodeVersion };
}

export interface CodeVersion {
  commit: string;
  /** Files of the worker's code that differ from `commit` (`git status --porcelain` lines). */
  modified: string[];
}

/** Row count per table of the destination's dataset, by table name. */
export type WarehouseCounts = Record<string, number>;

/** 10 pipes of `cards / 10` cards each, plus 2 databases of `cards / 20` records each. */
export function organizationFor(cards: number): OrganizationSize {
  return { pipes: 10, cardsPerPipe: Math.ceil(cards / 10), tables: 2, recordsPerTable: Math.ceil(cards / 20) };
}

/**
 * Measures one size against one destination on a fresh Temporal dev server.
 * Runs (a) and (b) against an emulator with Pipefy's budget and a worker at
 * its default rate. Then runs (c) against an unthrottled emulator and a
 * worker at 1000 requests per second, into an empty schema or DuckDB file.
 */
export async function runSize(options: SizeRunOptions): Promise<SizeRunResult> {
  const organization = organizationFor(options.cards);
  const runId = `bench-${options.cards}-${options.destination}-${randomUUID().slice(0, 8)}`;
  const workDir = path.join(tmpdir(), runId);
  const log = (name: string) => path.join(options.logDir, `${runId}-${name}.log`);
  const temporal = await startTemporalDevServer({ logFile: log('temporal') });
  const connection = await Connection.connect({ address: temporal.address });
  const client = new Client({ connection });

  try {
    const budgetedPhase = await runPhase({
      ...options,
      label: 'budgeted',
      client,
      temporal: { address: temporal.address, pid: temporal.process.pid as number },
      organization,
      throttle: PIPEFY_BUDGET,
      requestsPerSecond: undefined,
      dataDir: path.join(workDir, 'budgeted'),
      schema: `bench_${options.cards}`,
      logFile: log,
      syncs: async (measure) => {
        const budgeted = await measure(`${runId}.budgeted`, { mode: 'full' });
        const incremental = await measure(`${runId}.incremental`, { mode: 'incremental' });
        return { budgeted, incremental };
      },
    });

    const unthrottledPhase = await runPhase({
      ...options,
      label: 'unthrottled',
      client,
      temporal: { address: temporal.address, pid: temporal.process.pid as number },
      organization,
      throttle: { budget: 0, windowSeconds: PIPEFY_BUDGET.windowSeconds },
      requestsPerSecond: UNTHROTTLED_REQUESTS_PER_SECOND,
      dataDir: path.join(workDir, 'unthrottled'),
      schema: `bench_${options.cards}_unthrottled`,
      logFile: log,
      syncs: async (measure) => ({ unthrottled: await measure(`${runId}.unthrottled`, { mode: 'full' }) }),
    });

    return {
      cards: options.cards,
      destination: options.destination,
      organization,
      budgeted: budgetedPhase.syncs.budgeted,
      incremental: budgetedPhase.syncs.incremental,
      unthrottled: unthrottledPhase.syncs.unthrottled,
      loaded: { budgeted: budgetedPhase.loaded, unthrottled: unthrottledPhase.loaded },
      code: { budgeted: budgetedPhase.code, unthrottled: unthrottledPhase.code },
    };
  } finally {
    await connection.close();
    await temporal.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}

type Measure = (workflowId: string, input: { mode: 'full' | 'incremental' }) => Promise<SyncMeasurement>;

interface PhaseOptions<T> extends SizeRunOptions {
  label: string;
  client: Client;
  temporal: { address: string; pid: number };
  organization: OrganizationSize;
  throttle: { budget: number; windowSeconds: number };
  requestsPerSecond: number | undefined;
  dataDir: string;
  /** PostgreSQL schema of this phase; DuckDB uses a fresh file in `dataDir` instead. */
  schema: string;
  logFile(name: string): string;
  syncs(measure: Measure): Promise<T>;
}

/** Starts an emulator and a worker, runs the phase's syncs, stops both and counts the warehouse's rows. */
async function runPhase<T>(options: PhaseOptions<T>): Promise<{ syncs: T; loaded: WarehouseCounts; code: CodeVersion }> {
  const destination = destinationConfig(options.destination, options.dataDir, options.schema);
  if (options.destination === 'postgres') await dropPostgresSchema(options.schema);

  const emulator = await startEmulatorProcess(options.organization, options.throttle, options.logFile(`${options.label}-emulator`));
  let syncs: T;
  const code = readCodeVersion();
  try {
    const taskQueue = `bench-${options.label}-${randomUUID().slice(0, 8)}`;
    const worker = await startWorkerProcess(
      {
        temporalAddress: options.temporal.address,
        taskQueue,
        emulatorUrl: emulator.url,
        dataDir: options.dataDir,
        requestsPerSecond: options.requestsPerSecond,
        destinations: { bench: destination },
      },
      options.logFile(`${options.label}-worker`),
    );
    try {
      const processes: MeasuredProcesses = { workerPid: worker.pid, emulator, temporalPid: options.temporal.pid };
      syncs = await options.syncs((workflowId, input) =>
        measureSync(
          options.client,
          taskQueue,
          workflowId,
          { ...input, destination: 'bench', ...(options.parallelism ? { parallelism: options.parallelism } : {}) },
          processes,
        ),
      );
    } finally {
      await worker.stop();
    }
  } finally {
    await emulator.stop();
  }

  return { syncs, loaded: await countWarehouseRows(destination), code };
}

/** Reads the checkout's commit and its uncommitted changes to the code a worker loads. */
function readCodeVersion(): CodeVersion {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: PROJECT_ROOT, encoding: 'utf8' });
  const modified = git('status', '--porcelain', '--', 'workflows', 'activities', 'worker').split('\n').filter(Boolean);
  return { commit: git('rev-parse', 'HEAD').trim(), modified };
}

function destinationConfig(destination: BenchDestination, dataDir: string, schema: string): DestinationConfig {
  if (destination === 'postgres') return { type: 'postgres', ...POSTGRES_BENCH, ssl: false, dataset: schema };

  mkdirSync(dataDir, { recursive: true });
  return { type: 'duckdb', path: path.join(dataDir, 'bench.duckdb'), dataset: 'pipefy_data' };
}

async function countWarehouseRows(config: DestinationConfig): Promise<WarehouseCounts> {
  const destination = await openDestination(config);
  try {
    const counts: WarehouseCounts = {};
    for (const table of await destination.listTables()) counts[table.name] = table.rowCount;
    return counts;
  } finally {
    await destination.close();
  }
}
