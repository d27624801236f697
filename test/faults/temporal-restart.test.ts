import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSeed } from '../../emulator';
import { type DevServer, startTemporalDevServer } from '../../scripts/local-temporal';
import { syncPipefyWorkflow } from '../../workflows';
import { type SyncStack, startSyncStack } from '../support/sync-stack';
import { expectWarehouseMatches, waitUntil } from './sync-checks';

// 13 pages plus one deletion-scan page per pipe and database. At 5 requests
// per second the sync runs long enough to take Temporal down in the middle.
const SEED = { pipes: 3, cardsPerPipe: 150, tables: 2, recordsPerTable: 60 };
const PAGES = 3 * 3 + 2 * 2;
const OUTAGE_MS = 5_000;

let stack: SyncStack;
let temporal: DevServer;
let temporalDir: string;
let dbFile: string;

beforeAll(async () => {
  temporalDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-temporal-restart-'));
  dbFile = path.join(temporalDir, 'temporal.db');
  temporal = await startTemporalDevServer({ dbFile });
  stack = await startSyncStack({ temporal, requestsPerSecond: 5, emulator: { seed: SEED, budget: 0 } });
});

afterAll(async () => {
  await stack?.stop();
  await temporal?.stop();
  if (temporalDir) rmSync(temporalDir, { recursive: true, force: true });
});

describe('Temporal server restarted mid-sync', () => {
  it('completes the sync with exact data', async () => {
    const workflowId = stack.uniqueId('temporal-restart');
    await stack.client.workflow.start(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{}],
    });

    // Planning takes 2 requests, so a few pages more put the sync mid-way.
    await waitUntil('six requests reached the emulator', () => stack.emulator.stats.requests >= 6);
    const requestsAtStop = stack.emulator.stats.requests;
    const port = Number(temporal.address.split(':')[1]);
    await temporal.stop();
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    temporal = await startTemporalDevServer({ port, dbFile });

    // A fresh handle: the one from `start` may have spent its retries during the outage.
    const result = await stack.client.workflow.getHandle(workflowId).result();

    expect(requestsAtStop).toBeLessThan(PAGES);
    expect(result.pages).toBe(PAGES);
    const warehouse = await stack.openWarehouse();
    try {
      await expectWarehouseMatches(warehouse, { ...countSeed(stack.emulator.state.organization) });
    } finally {
      await warehouse.close();
    }
  });
});
