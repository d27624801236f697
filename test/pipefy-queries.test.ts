import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ALL_QUERIES, CARDS_PAGE_QUERY } from '../activities/pipefy/queries';
import { updatedAtFilter } from '../activities/pipefy-activities';
import { renderTableDocs, TABLE_DOCS_PATH } from '../scripts/table-docs';

/** Pipefy's public schema as published in February 2021, unchanged: the contract the connector's queries must meet. */
const referenceSchema = buildSchema(
  readFileSync(path.join(__dirname, '..', 'emulator', 'schema', 'pipefy-public-api-2021-02.graphql'), 'utf8'),
);

describe('connector queries', () => {
  for (const [name, query] of Object.entries(ALL_QUERIES)) {
    it(`${name} validates against the public schema`, () => {
      const errors = validate(referenceSchema, parse(query)).map((error) => error.message);
      expect(errors).toEqual([]);
    });
  }

  it('cards page asks for 50 with nested lists', () => {
    expect(CARDS_PAGE_QUERY).toContain('allCards(pipeId: $pipeId, first: $first, after: $after, filter: $filter)');
    for (const nested of ['fields {', 'phases_history {', 'comments {', 'assignees {', 'labels {', 'attachments {']) {
      expect(CARDS_PAGE_QUERY).toContain(nested);
    }
  });
});

describe('updated_at filter', () => {
  it('is null without bounds', () => {
    expect(updatedAtFilter(null, null)).toBeNull();
  });

  it('combines both bounds with AND', () => {
    expect(updatedAtFilter('2024-01-01T00:00:00.000Z', '2024-02-01T00:00:00.000Z')).toEqual({
      field: 'updated_at',
      operator: 'gte',
      value: '2024-01-01T00:00:00.000Z',
      AND: [{ field: 'updated_at', operator: 'lte', value: '2024-02-01T00:00:00.000Z' }],
    });
  });
});

describe('table documentation', () => {
  it('matches the table definitions', () => {
    // Regenerate with `npx tsx scripts/table-docs.ts`.
    expect(readFileSync(TABLE_DOCS_PATH, 'utf8')).toBe(renderTableDocs());
  });
});
