import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Row } from '../../activities/warehouse/table-schema';
import { countSeed } from '../../emulator';
import { syncPipefyWorkflow } from '../../workflows';
import { EMULATOR_TOKEN, type SyncStack, startSyncStack } from '../support/sync-stack';
import { duplicates, expectWarehouseMatches } from './sync-checks';

const SEED = { pipes: 3, cardsPerPipe: 150, tables: 2, recordsPerTable: 60 };

/** A card as the emulator's GraphQL API returns it now. */
interface LiveCard {
  id: string;
  title: string;
  updated_at: string;
  fields: { field: { id: string }; value: string | null }[];
}

const LIVE_CARDS_QUERY = `
  query LiveCards($pipeId: ID!, $after: String) {
    allCards(pipeId: $pipeId, first: 50, after: $after) {
      pageInfo { hasNextPage endCursor }
      edges { node { id title updated_at fields { field { id } value } } }
    }
  }
`;

let stack: SyncStack;
let adminUrl: string;

beforeAll(async () => {
  stack = await startSyncStack({ emulator: { seed: SEED, budget: 0 } });
  adminUrl = new URL('/_emulator/mutate', stack.emulator.url).toString();
});

afterAll(async () => {
  await stack?.stop();
});

function runSync(input: Parameters<typeof syncPipefyWorkflow>[0]) {
  return stack.client.workflow.execute(syncPipefyWorkflow, {
    taskQueue: stack.config.temporal.taskQueue,
    workflowId: stack.uniqueId('incremental'),
    args: [input],
  });
}

async function mutate(body: Record<string, unknown>): Promise<{ card?: { id: string }; deleted?: string }> {
  const response = await fetch(adminUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(response.status).toBe(200);
  return (await response.json()) as { card?: { id: string }; deleted?: string };
}

/** Reads every live card of every pipe through the emulator's GraphQL API, as Pipefy would return them. */
async function liveCards(): Promise<Map<string, LiveCard>> {
  const cards = new Map<string, LiveCard>();
  for (const pipe of stack.emulator.state.organization.pipes) {
    let after: string | null = null;
    do {
      const response = await fetch(stack.emulator.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${EMULATOR_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: LIVE_CARDS_QUERY, variables: { pipeId: pipe.id, after } }),
      });
      const body = (await response.json()) as {
        data: { allCards: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: { node: LiveCard }[] } };
      };
      for (const edge of body.data.allCards.edges) cards.set(edge.node.id, edge.node);
      after = body.data.allCards.pageInfo.hasNextPage ? body.data.allCards.pageInfo.endCursor : null;
    } while (after);
  }
  return cards;
}

function millis(value: unknown): number {
  return value instanceof Date ? value.getTime() : Date.parse(String(value));
}

describe('incremental sync after changes in Pipefy', () => {
  const created: string[] = [];
  const updated: string[] = [];
  const deleted: string[] = [];
  let cards: Row[];
  let cardFields: Row[];
  let live: Map<string, LiveCard>;

  beforeAll(async () => {
    await runSync({ mode: 'full' });
    const warehouse = await stack.openWarehouse();
    try {
      await expectWarehouseMatches(warehouse, { ...countSeed(stack.emulator.state.organization) });
    } finally {
      await warehouse.close();
    }

    const pipes = stack.emulator.state.organization.pipes;
    const seededIds = (await liveCards()).keys();
    const [a, b, c, d, e] = [...seededIds].filter((_, index) => index % 60 === 7);
    for (const pipe of [pipes[0], pipes[0], pipes[2]]) {
      created.push((await mutate({ action: 'create', pipeId: pipe.id, title: `Created after the full sync in ${pipe.id}` })).card!.id);
    }
    for (const cardId of [a, b, c]) {
      updated.push((await mutate({ action: 'update', cardId, title: `Renamed ${cardId}` })).card!.id);
    }
    for (const cardId of [d, e]) deleted.push((await mutate({ action: 'delete', cardId })).deleted!);

    // deletionScanHours 0 makes this run scan for deleted cards instead of waiting a day.
    const result = await runSync({ mode: 'incremental', deletionScanHours: 0 });
    expect(result.rowsByTable.cards).toBe(created.length + updated.length);

    live = await liveCards();
    const warehouseAfter = await stack.openWarehouse();
    try {
      cards = await warehouseAfter.readRows('cards', ['id']);
      cardFields = await warehouseAfter.readRows('card_fields', ['card_id', 'field_id']);
    } finally {
      await warehouseAfter.close();
    }
  });

  it('loads new cards', () => {
    const ids = new Set(cards.map((card) => String(card.id)));
    for (const id of created) expect(ids.has(id), `created card ${id}`).toBe(true);
  });

  it('keeps each card once', () => {
    expect(duplicates(cards.map((card) => String(card.id)))).toEqual([]);
    expect(duplicates(cardFields.map((field) => `${field.card_id}/${field.field_id}`))).toEqual([]);
  });

  it('matches titles and update times', () => {
    const alive = cards.filter((card) => card.deleted_at === null);
    expect(alive.map((card) => String(card.id)).sort()).toEqual([...live.keys()].sort());
    for (const card of alive) {
      const expected = live.get(String(card.id))!;
      expect({ id: card.id, title: card.title }).toEqual({ id: expected.id, title: expected.title });
      expect({ id: card.id, updatedAt: millis(card.updated_at) }).toEqual({ id: expected.id, updatedAt: millis(expected.updated_at) });
    }
  });

  it('matches field values', () => {
    const aliveIds = new Set(live.keys());
    const stored = cardFields
      .filter((field) => aliveIds.has(String(field.card_id)))
      .map((field) => `${field.card_id}/${field.field_id}=${field.value}`)
      .sort();
    const expected = [...live.values()]
      .flatMap((card) => card.fields.map((field) => `${card.id}/${field.field.id}=${field.value}`))
      .sort();
    expect(stored).toEqual(expected);
  });

  it('marks deleted cards', () => {
    for (const id of deleted) {
      const card = cards.find((row) => String(row.id) === id);
      expect(card, `deleted card ${id}`).toBeDefined();
      expect(card!.deleted_at, `deleted_at of card ${id}`).not.toBeNull();
    }
    expect(cards.filter((card) => card.deleted_at !== null).map((card) => String(card.id)).sort()).toEqual([...deleted].sort());
  });
});
