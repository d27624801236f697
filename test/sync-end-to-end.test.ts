import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countSeed, generateOrganization, type SeedCounts } from '../emulator';
import { startSync } from '../client/sync-client';
import { syncPipefyWorkflow } from '../workflows';
import { failureOf } from './support/workflow-failures';
import { rowCounts, type SyncStack, startSyncStack } from './support/sync-stack';

const SEED = { cardsPerPipe: 120, recordsPerTable: 60 };

let stack: SyncStack;
let expected: SeedCounts;

beforeAll(async () => {
  stack = await startSyncStack({ emulator: { seed: SEED }, connections: { wrong: { token: 'not-a-valid-token' } } });
  expected = countSeed(generateOrganization(SEED));
});

afterAll(async () => {
  await stack?.stop();
});

function runSync(input: Parameters<typeof syncPipefyWorkflow>[0], prefix = 'sync') {
  return stack.client.workflow.execute(syncPipefyWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: stack.uniqueId(prefix),
    args: [input],
  });
}

describe('sync into DuckDB through Temporal', () => {
  it('loads every seeded row', async () => {
    const result = await runSync({});

    const warehouse = await stack.openWarehouse();
    const counts = await rowCounts(warehouse);
    await warehouse.close();

    for (const [table, count] of Object.entries(expected)) {
      expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows: count });
    }
    expect(result.pipes).toBe(3);
    expect(result.tables).toBe(2);
    expect(result.requests).toBe(stack.emulator.stats.requests);
  });

  it('keeps counts on a second full run', async () => {
    await runSync({ mode: 'full' });

    const warehouse = await stack.openWarehouse();
    const counts = await rowCounts(warehouse);
    const cards = await warehouse.readRows('cards', ['id']);
    await warehouse.close();

    for (const [table, count] of Object.entries(expected)) {
      expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows: count });
    }
    expect(new Set(cards.map((card) => card.id)).size).toBe(cards.length);
  });

  it('fills one wide typed table per pipe', async () => {
    const warehouse = await stack.openWarehouse();
    const tables = await warehouse.listTables();
    await warehouse.close();

    const wide = tables.filter((table) => /^pipe_\w+_cards$/.test(table.name));
    expect(wide).toHaveLength(3);
    for (const table of wide) expect(table.rowCount).toBe(SEED.cardsPerPipe);
  });

  it('reads an unchanged pipe with one request', async () => {
    const before = stack.emulator.stats.requests;
    const result = await runSync({ resources: ['cards'] });
    const requests = stack.emulator.stats.requests - before;

    // Planning: organizations and one pipes request; then one empty page per pipe.
    expect(requests).toBe(2 + result.pipes);
    expect(result.rowsByTable.cards ?? 0).toBe(0);
  });

  it('marks a deleted card in a deletion scan', async () => {
    const warehouse = await stack.openWarehouse();
    const [card] = await warehouse.readRows('cards', ['id']);
    await warehouse.close();

    const base = stack.emulator.url.replace(/\/graphql$/, '');
    const response = await fetch(`${base}/_emulator/mutate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action: 'delete', cardId: card.id }),
    });
    expect(response.status).toBe(200);

    const result = await runSync({ resources: ['cards'], pipeIds: [String(card.pipe_id)], deletionScanHours: 0 });
    expect(result.deleted).toBe(1);

    const after = await stack.openWarehouse();
    const cards = await after.readRows('cards', ['id']);
    await after.close();
    const deleted = cards.filter((row) => row.deleted_at !== null);
    expect(deleted.map((row) => row.id)).toEqual([card.id]);
    expect(cards).toHaveLength(expected.cards);
  });

  it('continues as new with cursor and counters', async () => {
    // The deletion test removes a card of the first pipe; this one reads the second.
    const pipeId = generateOrganization(SEED).pipes[1].id;
    const result = await runSync({ resources: ['cards'], pipeIds: [pipeId], mode: 'full', pagesPerRun: 1 });

    const pages = Math.ceil(SEED.cardsPerPipe / 50);
    expect(result.scopes[0].pages).toBe(pages);
    expect(result.scopes[0].items).toBe(SEED.cardsPerPipe);

    const child = stack.client.workflow.getHandle(`${result.syncId}.cards.${pipeId}`);
    const description = await child.describe();
    expect(description.runId).not.toBe(description.raw.workflowExecutionInfo?.firstRunId);

    const warehouse = await stack.openWarehouse();
    const cards = await warehouse.readRows('cards', ['id']);
    await warehouse.close();
    expect(cards.filter((card) => card.pipe_id === pipeId)).toHaveLength(SEED.cardsPerPipe);
  });

  it('loads pages in batches of itemsPerLoad', async () => {
    const pipeId = generateOrganization(SEED).pipes[2].id;
    const result = await runSync({ resources: ['cards'], pipeIds: [pipeId], mode: 'full', itemsPerLoad: 100 });

    const warehouse = await stack.openWarehouse();
    const loads = await warehouse.readRows('_pipefy_loads', ['load_id']);
    const cards = await warehouse.readRows('cards', ['id']);
    await warehouse.close();

    // 120 cards in pages of 50: pages 0 and 1 load together, then page 2.
    const batches = loads.filter((load) => load.sync_id === result.syncId && load.resource === 'cards');
    expect(batches.map((load) => Number(load.page)).sort()).toEqual([0, 2]);
    expect(result.scopes[0]).toMatchObject({ pages: 3, items: SEED.cardsPerPipe });
    expect(cards.filter((card) => card.pipe_id === pipeId)).toHaveLength(SEED.cardsPerPipe);
  });

  it('tags syncs with search attributes', async () => {
    const handle = await startSync(stack.client, stack.config.temporal, { resources: ['cards'] }, { workflowId: stack.uniqueId('tagged') });
    await handle.result();

    const found: string[] = [];
    const query = `PipefyConnection = 'default' AND PipefyResource = 'cards' AND WorkflowId STARTS_WITH '${handle.workflowId}'`;
    for await (const execution of stack.client.workflow.list({ query })) found.push(execution.workflowId);
    expect(found).toHaveLength(3);
  });

  it('rejects a wrong token without retrying', async () => {
    const before = stack.emulator.stats.requests;
    const failure = await failureOf(runSync({ connection: 'wrong' }, 'wrong-token'));

    expect(failure.type).toBe('PipefyAuthError');
    expect(failure.message).toContain('rejected the token of connection "wrong"');
    expect(failure.message).not.toContain('not-a-valid-token');
    expect(stack.emulator.stats.requests - before).toBe(1);
  });

  it('names the field of an invalid input', async () => {
    const failure = await failureOf(runSync({ pipeIds: ['abc'] }, 'invalid-input'));

    expect(failure.type).toBe('InvalidWorkflowInput');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('pipeIds.0');
    expect(failure.message).toContain('"abc" is not a numeric Pipefy id');
  });

  it('lists visible pipes for an unknown pipe id', async () => {
    const failure = await failureOf(runSync({ pipeIds: ['999'] }, 'unknown-pipe'));

    expect(failure.type).toBe('PipefyNotFoundError');
    expect(failure.message).toContain('Unknown pipe id 999');
    expect(failure.message).toMatch(/the token can see pipes \d+, \d+, \d+/);
  });
});
