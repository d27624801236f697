import { describe, expect, it } from 'vitest';
import type { TableRows } from '../activities/destinations/destination';
import { mergePages } from '../activities/merge-pages';
import type { TableSchema } from '../activities/warehouse/table-schema';

const CARDS: TableSchema = {
  name: 'cards',
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'text' },
    { name: 'title', type: 'text' },
  ],
};

const CARD_LABELS: TableSchema = {
  name: 'card_labels',
  primaryKey: [],
  columns: [
    { name: 'card_id', type: 'text' },
    { name: 'label_id', type: 'text' },
  ],
};

function labels(cardIds: string[], rows: [string, string][]): TableRows {
  return {
    table: CARD_LABELS,
    rows: rows.map(([card_id, label_id]) => ({ card_id, label_id })),
    replaceWhere: { column: 'card_id', values: cardIds },
  };
}

describe('mergePages', () => {
  it('makes one entry per table, rows in page order', () => {
    const merged = mergePages([
      [{ table: CARDS, rows: [{ id: '1', title: 'a' }] }, labels(['1'], [['1', 'x']])],
      [{ table: CARDS, rows: [{ id: '2', title: 'b' }] }, labels(['2'], [['2', 'y']])],
    ]);

    expect(merged.map((entry) => entry.table.name)).toEqual(['cards', 'card_labels']);
    expect(merged[0].rows).toEqual([
      { id: '1', title: 'a' },
      { id: '2', title: 'b' },
    ]);
    expect(merged[1].replaceWhere).toEqual({ column: 'card_id', values: ['1', '2'] });
  });

  it('replaces child rows of earlier pages', () => {
    const merged = mergePages([[labels(['1'], [['1', 'x'], ['1', 'y']])], [labels(['1', '2'], [['1', 'z'], ['2', 'x']])]]);

    expect(merged).toHaveLength(1);
    expect(merged[0].rows).toEqual([
      { card_id: '1', label_id: 'z' },
      { card_id: '2', label_id: 'x' },
    ]);
    expect(merged[0].replaceWhere?.values).toEqual(['1', '2']);
  });

  it('keeps entries of different schemas apart', () => {
    const wider: TableSchema = { ...CARDS, columns: [...CARDS.columns, { name: 'due', type: 'timestamp' }] };
    const merged = mergePages([[{ table: CARDS, rows: [{ id: '1', title: 'a' }] }], [{ table: wider, rows: [{ id: '2', title: 'b', due: null }] }]]);

    expect(merged).toHaveLength(2);
  });

  it('leaves the pages it read unchanged', () => {
    const first = labels(['1'], [['1', 'x']]);
    mergePages([[first], [labels(['1'], [['1', 'y']])]]);

    expect(first.rows).toEqual([{ card_id: '1', label_id: 'x' }]);
    expect(first.replaceWhere?.values).toEqual(['1']);
  });
});
