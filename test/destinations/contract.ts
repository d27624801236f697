import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { Destination, LoadBatch, TableRows } from '../../activities/destinations/destination';
import { DestinationError } from '../../activities/errors';
import {
  LOADED_AT_COLUMN,
  LOAD_ID_COLUMN,
  variantColumnName,
  type ColumnSchema,
  type Row,
  type TableSchema,
} from '../../activities/warehouse/table-schema';

export interface DestinationContractOptions {
  /** Registers the suite as skipped, for a warehouse that is not available here. */
  skip?: boolean;
}

const ISO_UTC_MILLIS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const cardsTable: TableSchema = {
  name: 'cards',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'text' },
    { name: 'title', type: 'text' },
    { name: 'comments_count', type: 'bigint' },
  ],
};

const cardLabelsTable: TableSchema = {
  name: 'card_labels',
  primaryKey: ['card_id', 'label_id'],
  columns: [
    { name: 'card_id', type: 'text' },
    { name: 'label_id', type: 'text' },
    { name: 'position', type: 'bigint' },
  ],
};

let batchCounter = 0;

/** Builds a batch with a fresh load id, as one page of the `cards` resource would produce. */
function makeBatch(tables: TableRows[], options: { loadId?: string; state?: LoadBatch['state'] } = {}): LoadBatch {
  batchCounter += 1;
  const loadId = options.loadId ?? `sync-1:cards:301:${batchCounter}`;
  const rowCount = tables.reduce((sum, table) => sum + table.rows.length, 0);
  return {
    loadId,
    tables,
    load: { loadId, syncId: 'sync-1', resource: 'cards', scope: '301', page: batchCounter, rowCount },
    state: options.state,
  };
}

function withoutLineage(rows: Row[]): Row[] {
  return rows.map((row) => {
    const copy = { ...row };
    delete copy[LOAD_ID_COLUMN];
    delete copy[LOADED_AT_COLUMN];
    return copy;
  });
}

function table(name: string, columns: ColumnSchema[], primaryKey: string[]): TableSchema {
  return { name, columns, primaryKey };
}

/**
 * Registers the contract that every destination meets, run against the
 * destinations that `open` returns. `open` must return a destination on a
 * dataset no other call uses, so that tests and suites do not collide.
 */
export function describeDestinationContract(
  name: string,
  open: () => Promise<Destination>,
  options: DestinationContractOptions = {},
): void {
  const describeOrSkip = options.skip ? describe.skip : describe;

  describeOrSkip(`${name} destination contract`, () => {
    let destination: Destination;

    beforeEach(async () => {
      destination = await open();
    });

    afterEach(async () => {
      await destination?.close();
    });

    it('creates tables from a first batch', async () => {
      const result = await destination.loadBatch(
        makeBatch([
          { table: cardsTable, rows: [{ id: 'c1', title: 'First', comments_count: 2 }, { id: 'c2', title: 'Second', comments_count: 0 }] },
          { table: cardLabelsTable, rows: [{ card_id: 'c1', label_id: 'l1', position: 0 }] },
        ]),
      );

      expect(result.rowsByTable).toEqual({ cards: 2, card_labels: 1 });
      const tables = await destination.listTables();
      const cards = tables.find((summary) => summary.name === 'cards');
      expect(cards?.rowCount).toBe(2);
      expect(cards?.columns.map((column) => column.name)).toEqual(
        expect.arrayContaining(['id', 'title', 'comments_count', LOAD_ID_COLUMN, LOADED_AT_COLUMN]),
      );
      expect(tables.find((summary) => summary.name === 'card_labels')?.rowCount).toBe(1);
      expect(withoutLineage(await destination.readRows('cards', ['id']))).toEqual([
        { id: 'c1', title: 'First', comments_count: 2 },
        { id: 'c2', title: 'Second', comments_count: 0 },
      ]);
    });

    it('reloads same batch without duplicates', async () => {
      const batch = makeBatch([
        { table: cardsTable, rows: [{ id: 'c1', title: 'First', comments_count: 1 }] },
        { table: cardLabelsTable, rows: [{ card_id: 'c1', label_id: 'l1', position: 0 }] },
      ]);

      await destination.loadBatch(batch);
      const firstCards = await destination.readRows('cards', ['id']);
      await destination.loadBatch(batch);

      const cards = await destination.readRows('cards', ['id']);
      expect(withoutLineage(cards)).toEqual(withoutLineage(firstCards));
      expect(await destination.readRows('card_labels', ['card_id', 'label_id'])).toHaveLength(1);
    });

    it('keeps last row of duplicate keys', async () => {
      await destination.loadBatch(
        makeBatch([
          {
            table: cardsTable,
            rows: [
              { id: 'c1', title: 'Old', comments_count: 1 },
              { id: 'c1', title: 'New', comments_count: 2 },
            ],
          },
        ]),
      );

      expect(withoutLineage(await destination.readRows('cards', ['id']))).toEqual([{ id: 'c1', title: 'New', comments_count: 2 }]);
    });

    it('merges changed rows on primary key', async () => {
      await destination.loadBatch(
        makeBatch([{ table: cardsTable, rows: [{ id: 'c1', title: 'Draft', comments_count: 0 }, { id: 'c2', title: 'Other', comments_count: 0 }] }]),
      );
      const update = makeBatch([{ table: cardsTable, rows: [{ id: 'c1', title: 'Final', comments_count: 3 }] }]);
      await destination.loadBatch(update);

      const cards = await destination.readRows('cards', ['id']);
      expect(cards).toHaveLength(2);
      expect(withoutLineage(cards)).toEqual([
        { id: 'c1', title: 'Final', comments_count: 3 },
        { id: 'c2', title: 'Other', comments_count: 0 },
      ]);
      expect(cards[0][LOAD_ID_COLUMN]).toBe(update.loadId);
    });

    it('replaceWhere removes vanished child rows', async () => {
      await destination.loadBatch(
        makeBatch([
          {
            table: cardLabelsTable,
            rows: [
              { card_id: 'c1', label_id: 'a', position: 0 },
              { card_id: 'c1', label_id: 'b', position: 1 },
              { card_id: 'c2', label_id: 'x', position: 0 },
            ],
            replaceWhere: { column: 'card_id', values: ['c1', 'c2'] },
          },
        ]),
      );

      await destination.loadBatch(
        makeBatch([
          {
            table: cardLabelsTable,
            rows: [{ card_id: 'c1', label_id: 'a', position: 0 }],
            replaceWhere: { column: 'card_id', values: ['c1'] },
          },
        ]),
      );
      expect(withoutLineage(await destination.readRows('card_labels', ['card_id', 'label_id']))).toEqual([
        { card_id: 'c1', label_id: 'a', position: 0 },
        { card_id: 'c2', label_id: 'x', position: 0 },
      ]);

      await destination.loadBatch(
        makeBatch([{ table: cardLabelsTable, rows: [], replaceWhere: { column: 'card_id', values: ['c2'] } }]),
      );
      expect(withoutLineage(await destination.readRows('card_labels', ['card_id', 'label_id']))).toEqual([
        { card_id: 'c1', label_id: 'a', position: 0 },
      ]);
    });

    it('adds a column from a later batch', async () => {
      await destination.loadBatch(makeBatch([{ table: cardsTable, rows: [{ id: 'c1', title: 'Old', comments_count: 0 }] }]));

      const widerCards = table('cards', [...cardsTable.columns, { name: 'due_date', type: 'date' }], ['id']);
      await destination.loadBatch(
        makeBatch([{ table: widerCards, rows: [{ id: 'c2', title: 'New', comments_count: 1, due_date: '2024-05-31' }] }]),
      );

      expect(withoutLineage(await destination.readRows('cards', ['id']))).toEqual([
        { id: 'c1', title: 'Old', comments_count: 0, due_date: null },
        { id: 'c2', title: 'New', comments_count: 1, due_date: '2024-05-31' },
      ]);
    });

    it('widens bigint column to double', async () => {
      const asBigint = table('amounts', [{ name: 'id', type: 'text' }, { name: 'amount', type: 'bigint' }], ['id']);
      const asDouble = table('amounts', [{ name: 'id', type: 'text' }, { name: 'amount', type: 'double' }], ['id']);

      await destination.loadBatch(makeBatch([{ table: asBigint, rows: [{ id: 'a', amount: 9007199254740991 }, { id: 'b', amount: 5 }] }]));
      await destination.loadBatch(makeBatch([{ table: asDouble, rows: [{ id: 'c', amount: 2.5 }] }]));

      const rows = withoutLineage(await destination.readRows('amounts', ['id']));
      expect(rows[1]).toEqual({ id: 'b', amount: 5 });
      expect(rows[2]).toEqual({ id: 'c', amount: 2.5 });
      expect(rows[0].id).toBe('a');
      // A double keeps 53 bits, so the largest safe integer survives the widening.
      expect(rows[0].amount).toBe(9007199254740991);
      expect(Object.keys(rows[0]).some((column) => column.startsWith('amount__'))).toBe(false);
    });

    it('writes incompatible type to variant column', async () => {
      const asBigint = table('flags', [{ name: 'id', type: 'text' }, { name: 'flag', type: 'bigint' }], ['id']);
      const asBoolean = table('flags', [{ name: 'id', type: 'text' }, { name: 'flag', type: 'boolean' }], ['id']);
      const variant = variantColumnName('flag', 'boolean');

      await destination.loadBatch(makeBatch([{ table: asBigint, rows: [{ id: 'a', flag: 1 }] }]));
      await destination.loadBatch(makeBatch([{ table: asBoolean, rows: [{ id: 'b', flag: true }] }]));
      await destination.loadBatch(makeBatch([{ table: asBigint, rows: [{ id: 'c', flag: 7 }] }]));

      expect(withoutLineage(await destination.readRows('flags', ['id']))).toEqual([
        { id: 'a', flag: 1, [variant]: null },
        { id: 'b', flag: null, [variant]: true },
        { id: 'c', flag: 7, [variant]: null },
      ]);
    });

    it('stores and reads state', async () => {
      const key = { connection: 'acme', resource: 'cards', scope: '301' };
      expect(await destination.readState(key)).toBeUndefined();

      const first = makeBatch([{ table: cardsTable, rows: [] }], { state: { ...key, cursor: { updatedAfter: '2024-01-01T00:00:00.000Z', ids: ['c1'] } } });
      await destination.loadBatch(first);
      const second = makeBatch([{ table: cardsTable, rows: [] }], { state: { ...key, cursor: { after: 'Y3Vyc29y', page: 2 } } });
      await destination.loadBatch(second);

      const state = await destination.readState(key);
      expect(state).toMatchObject({ ...key, cursor: { after: 'Y3Vyc29y', page: 2 }, loadId: second.loadId });
      expect(state?.updatedAt).toMatch(ISO_UTC_MILLIS);
      expect(await destination.readState({ ...key, scope: '302' })).toBeUndefined();
      expect(await destination.readState({ ...key, connection: 'other' })).toBeUndefined();
    });

    it('loads one new table twice in a batch', async () => {
      const labels = (columns: ColumnSchema[]) => table('labels', [{ name: 'id', type: 'text' }, ...columns], ['id']);
      const pipeLabels = labels([{ name: 'pipe_id', type: 'text' }, { name: 'name', type: 'text' }]);
      const tableLabels = labels([{ name: 'table_id', type: 'text' }, { name: 'name', type: 'text' }, { name: 'color', type: 'text' }]);

      const result = await destination.loadBatch(
        makeBatch([
          { table: pipeLabels, rows: [{ id: 'l1', pipe_id: 'p1', name: 'urgent' }], replaceWhere: { column: 'pipe_id', values: ['p1'] } },
          { table: tableLabels, rows: [{ id: 'l2', table_id: 't1', name: 'vip', color: '#0F0' }], replaceWhere: { column: 'table_id', values: ['t1'] } },
        ]),
      );

      expect(result.rowsByTable.labels).toBe(2);
      expect(withoutLineage(await destination.readRows('labels', ['id']))).toEqual([
        { id: 'l1', pipe_id: 'p1', name: 'urgent', table_id: null, color: null },
        { id: 'l2', pipe_id: null, name: 'vip', table_id: 't1', color: '#0F0' },
      ]);
    });

    it('marks vanished rows deleted', async () => {
      const scopedCards = table(
        'cards',
        [
          { name: 'id', type: 'text' },
          { name: 'pipe_id', type: 'text' },
          { name: 'deleted_at', type: 'timestamp' },
        ],
        ['id'],
      );
      const rows = [
        { id: 'c1', pipe_id: '301', deleted_at: null },
        { id: 'c2', pipe_id: '301', deleted_at: null },
        { id: 'c3', pipe_id: '302', deleted_at: null },
      ];
      await destination.loadBatch(makeBatch([{ table: scopedCards, rows }]));

      const mark = { table: scopedCards, scopeColumn: 'pipe_id', scopeValue: '301', deletedAt: '2024-05-01T10:00:00.000Z' };
      expect(await destination.markDeleted({ ...mark, aliveIds: ['c1'] })).toBe(1);
      expect(await destination.markDeleted({ ...mark, aliveIds: ['c1'] })).toBe(0);

      const marked = withoutLineage(await destination.readRows('cards', ['id']));
      expect(marked).toEqual([
        { id: 'c1', pipe_id: '301', deleted_at: null },
        { id: 'c2', pipe_id: '301', deleted_at: '2024-05-01T10:00:00.000Z' },
        { id: 'c3', pipe_id: '302', deleted_at: null },
      ]);

      await destination.markDeleted({ ...mark, aliveIds: ['c1', 'c2'] });
      const restored = withoutLineage(await destination.readRows('cards', ['id']));
      expect(restored.map((row) => row.deleted_at)).toEqual([null, null, null]);
    });

    it('records each load id once', async () => {
      const first = makeBatch([{ table: cardsTable, rows: [{ id: 'c1', title: 'One', comments_count: 0 }] }]);
      const second = makeBatch([{ table: cardsTable, rows: [{ id: 'c2', title: 'Two', comments_count: 0 }] }]);
      await destination.loadBatch(first);
      await destination.loadBatch(first);
      await destination.loadBatch(second);

      const loads = await destination.readRows('_pipefy_loads', ['load_id']);
      expect(loads.map((load) => load.load_id)).toEqual([first.loadId, second.loadId].sort());
      expect(loads.find((load) => load.load_id === first.loadId)).toMatchObject({
        sync_id: 'sync-1',
        resource: 'cards',
        scope: '301',
        page: first.load.page,
        row_count: 1,
      });
      expect(loads[0].loaded_at).toMatch(ISO_UTC_MILLIS);
    });

    it('adds lineage columns to every row', async () => {
      const batch = makeBatch([
        { table: cardsTable, rows: [{ id: 'c1', title: 'One', comments_count: 0 }, { id: 'c2', title: 'Two', comments_count: 0 }] },
        { table: cardLabelsTable, rows: [{ card_id: 'c1', label_id: 'l1', position: 0 }] },
      ]);
      await destination.loadBatch(batch);

      const rows = [...(await destination.readRows('cards', ['id'])), ...(await destination.readRows('card_labels', ['card_id']))];
      expect(rows).toHaveLength(3);
      for (const row of rows) {
        expect(row[LOAD_ID_COLUMN]).toBe(batch.loadId);
        expect(row[LOADED_AT_COLUMN]).toMatch(ISO_UTC_MILLIS);
      }
    });

    it('round-trips hostile identifiers', async () => {
      const longName = `c${'x'.repeat(118)}9`;
      const hostile = table(
        'order',
        [
          { name: 'select', type: 'text' },
          { name: 'say "hi"', type: 'text' },
          { name: 'mood 😀', type: 'bigint' },
          { name: 'Due Date And Time', type: 'timestamp' },
          { name: longName, type: 'text' },
        ],
        ['select'],
      );
      const row = {
        select: "it's; DROP TABLE x; --",
        'say "hi"': 'quoted',
        'mood 😀': 3,
        'Due Date And Time': '2024-08-08T16:46:27.000Z',
        [longName]: 'long',
      };

      await destination.loadBatch(makeBatch([{ table: hostile, rows: [row] }]));
      await destination.loadBatch(makeBatch([{ table: hostile, rows: [{ ...row, 'mood 😀': 4 }] }]));

      expect(longName).toHaveLength(120);
      expect(withoutLineage(await destination.readRows('order', ['select', longName]))).toEqual([{ ...row, 'mood 😀': 4 }]);
      expect((await destination.listTables()).map((summary) => summary.name)).toContain('order');
    });

    it('round-trips every column type', async () => {
      const typed = table(
        'typed_values',
        [
          { name: 'id', type: 'bigint' },
          { name: 'text_value', type: 'text' },
          { name: 'bigint_value', type: 'bigint' },
          { name: 'double_value', type: 'double' },
          { name: 'decimal_value', type: 'decimal' },
          { name: 'boolean_value', type: 'boolean' },
          { name: 'timestamp_value', type: 'timestamp' },
          { name: 'date_value', type: 'date' },
          { name: 'json_value', type: 'json' },
        ],
        ['id'],
      );
      const rows: Row[] = [
        {
          id: 1,
          text_value: 'Ação "quoted" \\ back\nline 😀',
          bigint_value: 9007199254740991,
          double_value: 0.1,
          decimal_value: '12000.5',
          boolean_value: true,
          timestamp_value: '2024-08-08T16:46:27.123Z',
          date_value: '2024-02-29',
          json_value: [1, 'ação 😀', { nested: null, list: [true, 2.5] }],
        },
        {
          id: 2,
          text_value: '',
          bigint_value: -42,
          double_value: -1.5e300,
          decimal_value: '0.000000001',
          boolean_value: false,
          timestamp_value: '1999-12-31T23:59:59.999Z',
          date_value: '1970-01-01',
          json_value: { label: 'urgent', ids: ['1', '2'] },
        },
        {
          id: 3,
          text_value: null,
          bigint_value: null,
          double_value: null,
          decimal_value: null,
          boolean_value: null,
          timestamp_value: null,
          date_value: null,
          json_value: null,
        },
        {
          id: 4,
          text_value: 'plain',
          bigint_value: 0,
          double_value: 3,
          decimal_value: '12000',
          boolean_value: true,
          timestamp_value: '2024-01-01T00:00:00.000Z',
          date_value: '2024-12-31',
          json_value: 'just a string',
        },
        {
          id: 5,
          text_value: 'x',
          bigint_value: 1,
          double_value: 1,
          decimal_value: '-350.21',
          boolean_value: false,
          timestamp_value: '2024-01-01T00:00:00.001Z',
          date_value: '2000-01-01',
          json_value: [],
        },
      ];

      await destination.loadBatch(makeBatch([{ table: typed, rows }]));

      expect(withoutLineage(await destination.readRows('typed_values', ['id']))).toEqual(rows);
    });

    it('rejects bad value and keeps earlier data', async () => {
      const key = { connection: 'acme', resource: 'cards', scope: '301' };
      const good = makeBatch([{ table: cardsTable, rows: [{ id: 'c1', title: 'Kept', comments_count: 1 }] }], {
        state: { ...key, cursor: 'page-1' },
      });
      await destination.loadBatch(good);

      const widerCards = table('cards', [...cardsTable.columns, { name: 'priority', type: 'text' }], ['id']);
      const bad = makeBatch(
        [
          { table: widerCards, rows: [{ id: 'c1', title: 'Changed', comments_count: 5, priority: 'high' }, { id: 'c2', title: 'New', comments_count: 0, priority: 'low' }] },
          { table: cardLabelsTable, rows: [{ card_id: 'c1', label_id: 'l1', position: 'not a number' }] },
        ],
        { state: { ...key, cursor: 'page-2' } },
      );

      const failure = await destination.loadBatch(bad).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(DestinationError);
      expect((failure as DestinationError).retryable).toBe(false);

      // Warehouses whose DDL commits on its own (PostgreSQL here, Snowflake) may
      // keep the failed batch's new column, but never its values.
      const cards = await destination.readRows('cards', ['id']);
      expect(cards).toHaveLength(1);
      expect(cards[0]).toMatchObject({ id: 'c1', title: 'Kept', comments_count: 1 });
      expect(cards[0].priority ?? null).toBeNull();
      expect(await destination.listTables().then((tables) => tables.find((summary) => summary.name === 'card_labels')?.rowCount ?? 0)).toBe(0);
      expect((await destination.readRows('_pipefy_loads', ['load_id'])).map((load) => load.load_id)).toEqual([good.loadId]);
      expect((await destination.readState(key))?.cursor).toBe('page-1');

      const retried = makeBatch([{ table: widerCards, rows: [{ id: 'c2', title: 'New', comments_count: 0, priority: 'low' }] }]);
      await destination.loadBatch(retried);
      expect(withoutLineage(await destination.readRows('cards', ['id']))).toEqual([
        { id: 'c1', title: 'Kept', comments_count: 1, priority: null },
        { id: 'c2', title: 'New', comments_count: 0, priority: 'low' },
      ]);
    });

    it('runs concurrent loads safely', async () => {
      const evolving = (extra: number): TableSchema =>
        table('concurrent', [{ name: 'id', type: 'text' }, { name: `extra_${extra}`, type: 'bigint' }, { name: 'value', type: 'bigint' }], ['id']);
      const batches = Array.from({ length: 6 }, (_, index) =>
        makeBatch([
          { table: evolving(index % 3), rows: [{ id: `r${index}`, [`extra_${index % 3}`]: index, value: index }] },
          { table: cardsTable, rows: [{ id: `c${index}`, title: `Card ${index}`, comments_count: index }] },
        ]),
      );

      await Promise.all(batches.map((batch) => destination.loadBatch(batch)));

      const rows = await destination.readRows('concurrent', ['id']);
      expect(rows.map((row) => row.value)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(rows[4].extra_1).toBe(4);
      expect(await destination.readRows('cards', ['id'])).toHaveLength(6);
      expect(await destination.readRows('_pipefy_loads', ['load_id'])).toHaveLength(6);
    });
  });
}
