import type { Client, WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import type { Destination } from '../../activities/destinations/destination';
import type { SeedOrganization } from '../../emulator';

/**
 * Checks that the warehouse contains exactly the expected rows: the row count of
 * every expected table, and no duplicate key in the tables whose keys come
 * from Pipefy (a replayed or retried page must not add a second copy).
 */
export async function expectWarehouseMatches(destination: Destination, expected: Record<string, number>): Promise<void> {
  const counts: Record<string, number> = {};
  for (const table of await destination.listTables()) counts[table.name] = table.rowCount;
  for (const [table, rows] of Object.entries(expected)) {
    expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows });
  }

  const cards = await destination.readRows('cards', ['id']);
  expect(duplicates(cards.map((card) => String(card.id)))).toEqual([]);

  const cardFields = await destination.readRows('card_fields', ['card_id', 'field_id']);
  expect(duplicates(cardFields.map((field) => `${field.card_id}/${field.field_id}`))).toEqual([]);

  const records = await destination.readRows('table_records', ['id']);
  expect(duplicates(records.map((record) => String(record.id)))).toEqual([]);
}

/** Rows in `_pipefy_loads`: one per committed page, so it grows while a sync runs. */
export async function countLoads(destination: Destination): Promise<number> {
  const tables = await destination.listTables();
  return tables.find((table) => table.name === '_pipefy_loads')?.rowCount ?? 0;
}

/** Returns every value that occurs more than once. */
export function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) repeated.add(value);
    seen.add(value);
  }
  return [...repeated];
}

/**
 * Polls `check` every 100 ms until it returns true.
 *
 * @throws Error naming `what` after `timeoutMs`.
 */
export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Timed out after ${timeoutMs / 1000} s waiting until ${what}.`);
}

/** One event of a workflow history, as `fetchHistory` returns it. */
export type HistoryEvent = NonNullable<Awaited<ReturnType<WorkflowHandle['fetchHistory']>>['events']>[number];

/** Ids of a sync's workflow and of its children: one per pipe (cards) and one per database (records). */
export function syncWorkflowIds(syncId: string, organization: SeedOrganization): string[] {
  return [
    syncId,
    ...organization.pipes.map((pipe) => `${syncId}.cards.${pipe.id}`),
    ...organization.tables.map((table) => `${syncId}.table_records.${table.id}`),
  ];
}

/** Events of the latest run of every workflow in `workflowIds`, in order. */
export async function historyEvents(client: Client, workflowIds: string[]): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  for (const workflowId of workflowIds) {
    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    events.push(...(history.events ?? []));
  }
  return events;
}
