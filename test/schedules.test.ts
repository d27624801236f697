import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncState } from '../activities/destinations/destination';
import { backfillSchedule, createBackfillSchedule, createSyncSchedule } from '../client/schedules';
import { backfillPipefyWorkflow, syncPipefyWorkflow } from '../workflows';
import { type SyncStack, startSyncStack } from './support/sync-stack';

const SEED = { pipes: 2, cardsPerPipe: 60, tables: 1, recordsPerTable: 10 };

let stack: SyncStack;

beforeAll(async () => {
  stack = await startSyncStack({ emulator: { seed: SEED } });
});

afterAll(async () => {
  await stack?.stop();
});

/** Waits until `count` workflows matching `query` have completed. */
async function waitForCompleted(client: Client, query: string, count: number, timeoutMs = 90_000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ids: string[] = [];
    for await (const execution of client.workflow.list({ query: `${query} AND ExecutionStatus = 'Completed'` })) {
      ids.push(execution.workflowId);
    }
    if (ids.length >= count) return ids;
    if (Date.now() > deadline) throw new Error(`Only ${ids.length} of ${count} workflows completed for ${query}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function cardsState(pipeId: string): Promise<SyncState | undefined> {
  const warehouse = await stack.openWarehouse();
  try {
    return await warehouse.readState({ connection: 'default', resource: 'cards', scope: pipeId });
  } finally {
    await warehouse.close();
  }
}

async function cardCount(): Promise<number> {
  const warehouse = await stack.openWarehouse();
  try {
    return (await warehouse.readRows('cards', ['id'])).length;
  } finally {
    await warehouse.close();
  }
}

describe('schedules', () => {
  it('creates, triggers, pauses and resumes', async () => {
    const scheduleId = stack.uniqueId('schedule');
    const handle = await createSyncSchedule(stack.client, stack.config.temporal, {
      scheduleId,
      every: '1h',
      input: { resources: ['cards'] },
    });

    const created = await handle.describe();
    expect(created.state.paused).toBe(false);
    expect(created.policies.overlap).toBe('SKIP');

    await handle.trigger();
    await waitForCompleted(stack.client, `WorkflowId STARTS_WITH '${scheduleId}' AND WorkflowType = 'syncPipefyWorkflow'`, 1);
    expect(await cardCount()).toBe(SEED.pipes * SEED.cardsPerPipe);

    await handle.pause('test');
    expect((await handle.describe()).state.paused).toBe(true);
    await handle.unpause('test');
    expect((await handle.describe()).state.paused).toBe(false);
    await handle.delete();
  });
});

describe('backfills', () => {
  let pipeId: string;
  let stateBefore: SyncState | undefined;

  beforeAll(async () => {
    const result = await stack.client.workflow.execute(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: stack.uniqueId('before-backfill'),
      args: [{ resources: ['cards'] }],
    });
    pipeId = result.scopes[0].scopeId;
    stateBefore = await cardsState(pipeId);
    expect(stateBefore?.cursor).toMatchObject({ complete: true });
  });

  it('reads a range without moving the cursor', async () => {
    const result = await stack.client.workflow.execute(backfillPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: stack.uniqueId('backfill'),
      args: [{ pipeIds: [pipeId], from: '2024-01-01T00:00:00Z', to: '2026-01-01T00:00:00Z', windowDays: 200 }],
    });

    expect(result.windows).toBe(4);
    expect(result.cards).toBe(SEED.cardsPerPipe);
    expect(await cardsState(pipeId)).toEqual(stateBefore);
    expect(await cardCount()).toBe(SEED.pipes * SEED.cardsPerPipe);
  });

  it('runs through a schedule backfill', async () => {
    const scheduleId = stack.uniqueId('backfill-schedule');
    await createBackfillSchedule(stack.client, stack.config.temporal, {
      scheduleId,
      cron: '0 0 1 * *',
      input: { pipeIds: [pipeId], windowHours: 24 * 31 },
    });

    // Monthly times in the range: 2024-03-01, 2024-04-01 and 2024-05-01.
    await backfillSchedule(stack.client, scheduleId, new Date('2024-02-15T00:00:00Z'), new Date('2024-05-15T00:00:00Z'));
    const runs = await waitForCompleted(
      stack.client,
      `WorkflowId STARTS_WITH '${scheduleId}' AND WorkflowType = 'backfillPipefyWorkflow'`,
      3,
    );

    expect(runs).toHaveLength(3);
    expect(await cardsState(pipeId)).toEqual(stateBefore);
    expect(await cardCount()).toBe(SEED.pipes * SEED.cardsPerPipe);
    await stack.client.schedule.getHandle(scheduleId).delete();
  });
});
