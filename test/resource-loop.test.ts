import { ApplicationFailure } from '@temporalio/common';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadStagedBatchInput } from '../activities/destination-activities';
import type { FetchCardsPageInput, FetchPageResult } from '../activities/pipefy-activities';
import { PROJECT_ROOT } from '../scripts/local-temporal';
import type { ResourceCursor, SyncResourceInput } from '../workflows/sync-resource';
import { syncResourceWorkflow } from '../workflows/sync-resource';
import { pipefyTaskQueue } from '../workflows/task-queues';

/**
 * The page loop of `syncResourceWorkflow` against scripted activities on
 * Temporal's time-skipping test server: which pages are fetched and which
 * groups loaded, when loads overlap fetches and a staged file goes missing.
 */
const TEST_SERVER = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal-test-server');
const PAGES = 5;
const PAGE_ITEMS = 50;

let env: TestWorkflowEnvironment;
let taskQueue: string;
let workers: Worker[] = [];
let running: Promise<void>[] = [];

/** What the scripted activities saw, and what they do on each load call. */
const script = {
  fetched: [] as number[],
  loads: [] as { pages: string[]; cursor: ResourceCursor | undefined }[],
  onLoad: (_call: number): void => undefined,
};

function pageOf(loadId: string): number {
  return Number(loadId.split('/').pop());
}

const activities = {
  async readSyncState() {
    return null;
  },
  async loadStagedBatch(input: LoadStagedBatchInput) {
    const call = script.loads.length;
    script.loads.push({ pages: input.stagedNames, cursor: input.state?.cursor as ResourceCursor | undefined });
    script.onLoad(call);
    return { loadId: input.load.loadId, rowsByTable: {} };
  },
};

const pipefyActivities = {
  async fetchCardsPage(input: FetchCardsPageInput): Promise<FetchPageResult> {
    const page = pageOf(input.loadId);
    script.fetched.push(page);
    // A fetch takes a moment, so the next group's fetch overlaps the previous group's load.
    await new Promise((resolve) => setTimeout(resolve, 20));
    return {
      stagedName: `page-${page}`,
      items: PAGE_ITEMS,
      rowsByTable: { cards: PAGE_ITEMS },
      hasNextPage: page + 1 < PAGES,
      endCursor: `after-${page}`,
      maxUpdatedAt: null,
    };
  },
};

function resourceInput(overrides: Partial<SyncResourceInput> = {}): SyncResourceInput {
  return {
    syncId: `loop-${randomUUID()}`,
    connection: 'default',
    destination: 'duckdb',
    resource: 'cards',
    scopeId: '301',
    mode: 'full',
    lookbackMinutes: 10,
    deletionScanHours: 24,
    pagesPerRun: 400,
    itemsPerLoad: 2 * PAGE_ITEMS,
    ...overrides,
  };
}

function runLoop(input: SyncResourceInput) {
  return env.client.workflow.execute(syncResourceWorkflow, { taskQueue, workflowId: input.syncId, args: [input] });
}

describe.skipIf(!existsSync(TEST_SERVER))('resource page loop', () => {
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: TEST_SERVER } } });
    taskQueue = `resource-loop-${randomUUID()}`;
    workers = [
      await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath: path.join(PROJECT_ROOT, 'workflows', 'index.ts'),
        activities,
      }),
      await Worker.create({ connection: env.nativeConnection, taskQueue: pipefyTaskQueue(taskQueue, 'default'), activities: pipefyActivities }),
    ];
    running = workers.map((worker) => worker.run());
  });

  afterAll(async () => {
    for (const worker of workers) worker.shutdown();
    await Promise.all(running);
    await env?.teardown();
  });

  it('loads pages in groups of itemsPerLoad', async () => {
    script.fetched = [];
    script.loads = [];
    script.onLoad = () => undefined;

    const totals = await runLoop(resourceInput());

    expect(script.loads.map((load) => load.pages)).toEqual([['page-0', 'page-1'], ['page-2', 'page-3'], ['page-4']]);
    expect(script.loads.map((load) => load.cursor?.page)).toEqual([2, 4, 5]);
    expect(script.loads.at(-1)?.cursor?.complete).toBe(true);
    expect(script.fetched).toEqual([0, 1, 2, 3, 4]);
    expect(totals).toMatchObject({ pages: PAGES, items: PAGES * PAGE_ITEMS });
  });

  it('refetches a group missing staged files', async () => {
    script.fetched = [];
    script.loads = [];
    script.onLoad = (call) => {
      if (call === 1) throw ApplicationFailure.create({ message: 'staged file gone', type: 'StagedBatchMissing', nonRetryable: true });
    };

    const totals = await runLoop(resourceInput());

    // Pages 2 and 3 failed to load while page 4 was fetched: the loop drops page 4 and resumes from page 2.
    expect(script.loads.map((load) => load.pages)).toEqual([
      ['page-0', 'page-1'],
      ['page-2', 'page-3'],
      ['page-2', 'page-3'],
      ['page-4'],
    ]);
    expect(script.fetched).toEqual([0, 1, 2, 3, 4, 2, 3, 4]);
    expect(totals).toMatchObject({ pages: PAGES, items: PAGES * PAGE_ITEMS });
  });

  it('fails with the load error', async () => {
    script.fetched = [];
    script.loads = [];
    script.onLoad = (call) => {
      if (call === 1) throw ApplicationFailure.create({ message: 'column "x" rejected', type: 'DestinationError', nonRetryable: true });
    };

    const error = await runLoop(resourceInput()).catch((caught: unknown) => caught);

    expect(String(((error as Error).cause as Error | undefined)?.cause)).toContain('column "x" rejected');
    expect(script.loads).toHaveLength(2);
  });

  it('continues as new after loading', async () => {
    script.fetched = [];
    script.loads = [];
    script.onLoad = () => undefined;

    const totals = await runLoop(resourceInput({ pagesPerRun: 3 }));

    // Run one: pages 0-1 and page 2 (the run's page limit); run two: pages 3-4.
    expect(script.loads.map((load) => load.pages)).toEqual([['page-0', 'page-1'], ['page-2'], ['page-3', 'page-4']]);
    expect(script.fetched).toEqual([0, 1, 2, 3, 4]);
    expect(totals).toMatchObject({ pages: PAGES, items: PAGES * PAGE_ITEMS });
  });
});
