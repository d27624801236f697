import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination } from '../../activities/destinations';
import { destinationConfigSchema } from '../../activities/destinations/config';
import type { Destination } from '../../activities/destinations/destination';
import { countSeed } from '../../emulator';
import { resourceProgressQuery, syncPipefyWorkflow, syncProgressQuery } from '../../workflows';
import { EMULATOR_TOKEN, type SyncStack, startSyncStack } from '../support/sync-stack';
import { expectWarehouseMatches, historyEvents, syncWorkflowIds, waitUntil } from './sync-checks';

const SEED = { pipes: 3, cardsPerPipe: 150, tables: 2, recordsPerTable: 60 };
const PAGES = 3 * 3 + 2 * 2;

/**
 * A second token for the 429 storm. The emulator's budget of 10 requests per
 * 2 s, followed by a 3 s block, applies per token. The `default` connection,
 * at 4 requests per second, stays below it. The `storm` connection, at 100
 * per second, may exceed it, and its token starts out blocked.
 */
const STORM_TOKEN = 'storm-token';
const BUDGET = 10;

let stack: SyncStack;

beforeAll(async () => {
  stack = await startSyncStack({
    requestsPerSecond: 4,
    connections: { storm: { token: STORM_TOKEN, requestsPerSecond: 100 } },
    emulator: { seed: SEED, tokens: [EMULATOR_TOKEN, STORM_TOKEN], budget: BUDGET, windowSeconds: 2, blockSeconds: 3 },
  });
  stack.config.destinations.storm = destinationConfigSchema.parse({ type: 'duckdb', path: path.join(stack.dataDir, 'storm.duckdb') });
});

afterAll(async () => {
  await stack?.stop();
});

async function postFaults(kind: 'http500' | 'drop' | 'partial', count: number): Promise<{ pending: number }> {
  const response = await fetch(new URL('/_emulator/faults', stack.emulator.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind, count }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as { pending: number };
}

/** Spends the storm token's budget, as another client of the same token would, so that its next request is throttled. */
async function exhaustStormBudget(): Promise<void> {
  for (let request = 0; request <= BUDGET; request += 1) {
    await fetch(stack.emulator.url, {
      method: 'POST',
      headers: { authorization: `Bearer ${STORM_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
  }
}

async function expectExactData(destination: Destination): Promise<void> {
  try {
    await expectWarehouseMatches(destination, { ...countSeed(stack.emulator.state.organization) });
  } finally {
    await destination.close();
  }
}

describe('Pipefy failing mid-sync', () => {
  it('retries 5xx, drops and partial answers', async () => {
    const workflowId = stack.uniqueId('pipefy-faults');
    const handle = await stack.client.workflow.start(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{}],
    });

    // Planning takes 2 requests, so the faults hit pages, not the plan.
    await waitUntil('five requests reached the emulator', () => stack.emulator.stats.requests >= 5);
    await postFaults('http500', 2);
    await postFaults('drop', 2);
    await postFaults('partial', 2);

    const result = await handle.result();

    expect(await postFaults('http500', 0)).toEqual({ pending: 0 });
    expect(result.pages).toBe(PAGES);
    await expectExactData(await stack.openWarehouse());

    // Each fault fails one attempt, and history records the number of the attempt that succeeded.
    const events = await historyEvents(stack.client, syncWorkflowIds(workflowId, stack.emulator.state.organization));
    const retried = events.filter((event) => (event.activityTaskStartedEventAttributes?.attempt ?? 0) > 1);
    expect(retried.length).toBeGreaterThan(0);
  });

  it('waits out a 429 storm on timers', async () => {
    const workflowId = stack.uniqueId('rate-limit-storm');
    const throttledBefore = stack.emulator.stats.throttled;
    await exhaustStormBudget();
    const handle = await stack.client.workflow.start(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId,
      args: [{ connection: 'storm', destination: 'storm' }],
    });

    const workflowIds = syncWorkflowIds(workflowId, stack.emulator.state.organization);
    const statuses = new Set<string>();
    let finished = false;
    // Every query is a task for the worker, so polling stops once a wait was seen.
    const watching = (async () => {
      while (!finished && !statuses.has('waiting_for_rate_limit')) {
        const syncProgress = await handle.query(syncProgressQuery).catch(() => undefined);
        if (syncProgress) statuses.add(syncProgress.status);
        for (const childId of workflowIds.slice(1)) {
          // A child that has not started yet is not found, so it is read on the next round.
          const progress = await stack.client.workflow.getHandle(childId).query(resourceProgressQuery).catch(() => undefined);
          if (progress) statuses.add(progress.status);
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();
    const result = await handle.result().finally(() => {
      finished = true;
    });
    await watching;

    // The last request of exhaustStormBudget is throttled too, so more than one means the sync was.
    expect(stack.emulator.stats.throttled - throttledBefore).toBeGreaterThan(1);
    expect(statuses.has('waiting_for_rate_limit')).toBe(true);
    expect(result.pages).toBe(PAGES);
    await expectExactData(await openDestination(stack.config.destinations.storm));

    const events = await historyEvents(stack.client, workflowIds);
    const timers = events.filter((event) => event.timerStartedEventAttributes);
    expect(timers.length).toBeGreaterThan(0);
  });
});
