import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination } from '../activities/destinations';
import { destinationConfigSchema } from '../activities/destinations/config';
import type { LoadBatch } from '../activities/destinations/destination';
import { PipefyClient } from '../activities/pipefy/pipefy-client';
import { TABLE_RECORDS_PAGE_QUERY } from '../activities/pipefy/queries';
import { type ApiTableRecord, normalizeTableRecords } from '../activities/warehouse/normalize-records';
import { countSeed, generateOrganization, type RunningEmulator, startEmulator } from '../emulator';
import { queryComplexity } from '../emulator/complexity';
import { parentRecordIndexesOf, recordIdOf } from '../emulator/record-generator';
import { buildPipefySchema } from '../emulator/schema';
import type { SeedOrganization } from '../emulator/seed-types';

const SEED = { seed: 3, cardsPerPipe: 10, recordsPerTable: 60 };

const RELATIONS_QUERY = `
  query RecordRelations($id: ID!, $first: Int, $after: String, $done: Boolean, $name: String) {
    table_record(id: $id) {
      id
      parent_relations(relation_name: $name) {
        id
        name
        source_type
        repo { __typename ... on Table { id } }
        repo_items(first: $first, after: $after, done: $done) {
          pageInfo { hasNextPage endCursor }
          edges { node { __typename ... on TableRecord { id done } } }
        }
      }
    }
  }
`;

interface RecordsPage {
  table_records: { edges: { node: ApiTableRecord }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

let organization: SeedOrganization;
let emulator: RunningEmulator;
let client: PipefyClient;

beforeAll(async () => {
  organization = generateOrganization(SEED);
  emulator = await startEmulator({ organization, budget: 0 });
  client = new PipefyClient({ apiUrl: emulator.url, token: 'emulator-token', requestTimeoutSeconds: 10, connection: 'test' });
});

afterAll(async () => {
  await emulator?.close();
});

/** Returns the expected parent record ids of record `index` of table 1. */
function expectedParentIds(index: number): string[] {
  const parent = organization.tables[0];
  return parentRecordIndexesOf(index, parent.recordCount).map((parentIndex) => recordIdOf(organization, parent.tableIndex, parentIndex));
}

async function relationsOf(index: number, variables: Record<string, unknown> = {}) {
  const id = recordIdOf(organization, 1, index);
  const data = await client.query<{ table_record: { parent_relations: any[] } }>(RELATIONS_QUERY, { id, first: 50, ...variables });
  return data.table_record.parent_relations;
}

async function fetchAllRecords(tableId: string): Promise<ApiTableRecord[]> {
  const records: ApiTableRecord[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page += 1) {
    const data: RecordsPage = await client.query<RecordsPage>(TABLE_RECORDS_PAGE_QUERY, { tableId, first: 50, after });
    records.push(...data.table_records.edges.map((edge) => edge.node));
    if (!data.table_records.pageInfo.hasNextPage) return records;
    after = data.table_records.pageInfo.endCursor;
  }
  throw new Error(`Table ${tableId} did not finish paging within 100 pages`);
}

describe('emulator record relations', () => {
  it('serves the seeded parent records', async () => {
    const [relation] = await relationsOf(4);

    expect(relation.source_type).toBe('TableRelation');
    expect(relation.repo).toEqual({ __typename: 'Table', id: organization.tables[0].id });
    expect(relation.repo_items.edges.map((edge: any) => edge.node.id)).toEqual(expectedParentIds(4));
    expect(relation.repo_items.edges.every((edge: any) => edge.node.__typename === 'TableRecord')).toBe(true);
  });

  it('lists no relation items for every third record', async () => {
    const [relation] = await relationsOf(3);

    expect(relation.repo_items.edges).toEqual([]);
  });

  it('pages repo_items beyond 50 items', async () => {
    const [firstPage] = await relationsOf(1);
    const [secondPage] = await relationsOf(1, { after: firstPage.repo_items.pageInfo.endCursor });

    expect(firstPage.repo_items.edges).toHaveLength(50);
    expect(firstPage.repo_items.pageInfo.hasNextPage).toBe(true);
    expect(secondPage.repo_items.edges).toHaveLength(SEED.recordsPerTable - 50);
    expect(secondPage.repo_items.pageInfo.hasNextPage).toBe(false);
    const ids = [...firstPage.repo_items.edges, ...secondPage.repo_items.edges].map((edge: any) => edge.node.id);
    expect(ids).toEqual(expectedParentIds(1));
  });

  it('filters repo_items by done', async () => {
    const [done] = await relationsOf(1, { done: true });
    const [open] = await relationsOf(1, { done: false });

    const doneIds = expectedParentIds(1).filter((id) => emulator.state.findRecord(id)!.done);
    expect(doneIds.length).toBeGreaterThan(0);
    expect(done.repo_items.edges.map((edge: any) => edge.node.id)).toEqual(doneIds);
    expect(open.repo_items.edges.every((edge: any) => edge.node.done === false)).toBe(true);
  });

  it('filters parent_relations by relation_name', async () => {
    const name = organization.tableRelations[0].name;

    expect(await relationsOf(4, { name })).toHaveLength(1);
    expect(await relationsOf(4, { name: 'no such relation' })).toEqual([]);
  });

  it('gives first-table records no parent relations', async () => {
    const id = recordIdOf(organization, 0, 4);
    const data = await client.query<{ table_record: { parent_relations: unknown[] } }>(RELATIONS_QUERY, { id, first: 50 });

    expect(data.table_record.parent_relations).toEqual([]);
  });
});

describe('table records page query', () => {
  it('stays within the complexity limit', () => {
    const schema = buildPipefySchema();
    const operation = parse(TABLE_RECORDS_PAGE_QUERY).definitions.find(
      (definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION,
    )!;

    expect(queryComplexity(schema, operation, {}, { first: 50 })).toBeLessThanOrEqual(50_000);
  });
});

describe('table_record_relations rows', () => {
  let records: ApiTableRecord[];

  beforeAll(async () => {
    records = await fetchAllRecords(organization.tables[1].id);
  });

  it('has one row per related item', () => {
    const tables = normalizeTableRecords(records, organization.tables[1].id);
    const relationRows = tables.find((entry) => entry.table.name === 'table_record_relations')!;

    expect(relationRows.rows).toHaveLength(countSeed(organization).table_record_relations);
    expect(relationRows.replaceWhere).toEqual({ column: 'record_id', values: records.map((record) => record.id) });
    const rowsOfRecord4 = relationRows.rows.filter((row) => row.record_id === recordIdOf(organization, 1, 4));
    expect(rowsOfRecord4).toEqual(
      expectedParentIds(4).map((relatedId) => ({
        record_id: recordIdOf(organization, 1, 4),
        relation_position: 0,
        relation_id: organization.tableRelations[0].id,
        relation_name: organization.tableRelations[0].name,
        source_type: 'TableRelation',
        related_repo_id: organization.tables[0].id,
        related_item_id: relatedId,
      })),
    );
  });

  it('keeps only the first 50 items of a relation', () => {
    const tables = normalizeTableRecords(records, organization.tables[1].id);
    const relationRows = tables.find((entry) => entry.table.name === 'table_record_relations')!;
    const rowsOfRecord1 = relationRows.rows.filter((row) => row.record_id === recordIdOf(organization, 1, 1));

    expect(expectedParentIds(1)).toHaveLength(SEED.recordsPerTable);
    expect(rowsOfRecord1.map((row) => row.related_item_id)).toEqual(expectedParentIds(1).slice(0, 50));
  });

  it('skips null relations and items', () => {
    const record: ApiTableRecord = {
      id: 'r1',
      parent_relations: [
        null,
        { id: 'rel', name: 'Clientes', source_type: 'TableRelation', repo: { id: 't0' }, repo_items: { edges: [null, { node: null }, { node: { id: 'a' } }] } },
        { id: 'empty', repo_items: null },
      ],
    };
    const relationRows = normalizeTableRecords([record], 't1').find((entry) => entry.table.name === 'table_record_relations')!;

    expect(relationRows.rows).toEqual([
      {
        record_id: 'r1',
        relation_position: 1,
        relation_id: 'rel',
        relation_name: 'Clientes',
        source_type: 'TableRelation',
        related_repo_id: 't0',
        related_item_id: 'a',
      },
    ]);
  });

  it("replaces a record's relations on reload", async () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'pipefy-record-relations-'));
    const destination = await openDestination(destinationConfigSchema.parse({ type: 'duckdb', path: path.join(directory, 'warehouse.duckdb') }));
    const record = records.find((candidate) => candidate.id === recordIdOf(organization, 1, 2))!;
    const batch = (loadId: string, page: ApiTableRecord): LoadBatch => ({
      loadId,
      tables: normalizeTableRecords([page], organization.tables[1].id),
      load: { loadId, syncId: 'record-relations-test', resource: 'table_records', scope: organization.tables[1].id, page: 0, rowCount: 1 },
    });

    try {
      await destination.loadBatch(batch('first', record));
      const before = await destination.readRows('table_record_relations', ['related_item_id']);
      const trimmed = structuredClone(record);
      trimmed.parent_relations![0]!.repo_items!.edges = trimmed.parent_relations![0]!.repo_items!.edges!.slice(0, 1);
      await destination.loadBatch(batch('second', trimmed));
      const after = await destination.readRows('table_record_relations', ['related_item_id']);

      expect(before).toHaveLength(expectedParentIds(2).length);
      expect(before.length).toBeGreaterThan(1);
      expect(after.map((row) => row.related_item_id)).toEqual([expectedParentIds(2)[0]]);
    } finally {
      await destination.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
