/**
 * Builds table records on demand from (seed, table index, record index), in
 * the same way as cards: `record_fields` use the card field encodings.
 */
import { buildFieldValues, connectedItemsDrawer } from './card-generator';
import type { FieldValueContext } from './field-values';
import { type Connection, offsetPage, type PagingArgs } from './paging';
import { chance, mixSeed, mulberry32, pick, pickSome, randomInt, type Random } from './prng';
import type { SeedOrganization, TableData, TableRelationData } from './seed-types';
import { formatIsoZ } from './time-format';

/** Record ids are `RECORD_ID_BASE + index * tables + tableIndex`, unique across the organization. */
export const RECORD_ID_BASE = 700_000_000;

const FIRST_NAMES = ['Alfa', 'Beta', 'Cosmos', 'Delta', 'Estrela', 'Fênix', 'Gama', 'Horizonte', 'Ímpar', 'Jade'];
const SUFFIXES = ['Comércio Ltda', 'Serviços S.A.', 'Tecnologia', 'Distribuidora', 'Indústria ME', 'Consultoria'];

/** Returns the id of a record from its table and index. */
export function recordIdOf(organization: SeedOrganization, tableIndex: number, index: number): string {
  return String(RECORD_ID_BASE + index * organization.tables.length + tableIndex);
}

/** Splits a record id into table and index, or returns undefined when it cannot be a record id. */
export function locateRecordId(organization: SeedOrganization, id: string): { tableIndex: number; index: number } | undefined {
  if (!/^\d+$/.test(id) || organization.tables.length === 0) return undefined;
  const offset = Number(id) - RECORD_ID_BASE;
  if (!Number.isSafeInteger(offset) || offset < 0) return undefined;
  const tables = organization.tables.length;
  return { tableIndex: offset % tables, index: Math.floor(offset / tables) };
}

/** Returns a record's title without building the record; connector fields show it. */
export function recordTitleOf(organization: SeedOrganization, tableIndex: number, index: number): string {
  const random = mulberry32(mixSeed(organization.options.seed, 3, tableIndex, index));
  return `${pick(random, FIRST_NAMES)} ${pick(random, SUFFIXES)} ${index + 1}`;
}

function drawRecordCore(random: Random, table: TableData, index: number) {
  const createdMicros = table.firstRecordMicros + index * table.recordStepMicros + Math.floor(random() * table.recordStepMicros);
  const createdMs = Math.floor(createdMicros / 1000);
  const updatedMs = createdMs + randomInt(random, 0, 90 * 24) * 3_600_000;
  return { createdMicros, createdMs, updatedMs, done: chance(random, 0.15) };
}

/** Returns the ordering key and status of a record without building its fields. */
export function generateRecordCore(organization: SeedOrganization, table: TableData, index: number) {
  return drawRecordCore(mulberry32(mixSeed(organization.options.seed, 2, table.tableIndex, index)), table, index);
}

/** Builds the full API-shaped record. */
export function buildRecord(organization: SeedOrganization, table: TableData, index: number) {
  const random = mulberry32(mixSeed(organization.options.seed, 2, table.tableIndex, index));
  const { createdMicros, createdMs, updatedMs, done } = drawRecordCore(random, table, index);
  const users = table.members.map((member) => member.user);
  const creator = chance(random, 0.1) ? systemUser : pick(random, users);

  const valueContext: FieldValueContext = {
    userDisplayNames: users.map((user) => user.displayName),
    labelNames: table.labels.map((label) => label.name),
    drawConnectedItems: () => [],
    aroundMs: createdMs,
    expiresOn: organization.expiresOn,
  };
  const recordFields = [];
  for (const definition of table.table_fields) {
    valueContext.drawConnectedItems = connectedItemsDrawer(organization, definition);
    const [value] = buildFieldValues(random, [definition], valueContext, createdMs, updatedMs, 0.8);
    if (value) recordFields.push({ ...value, required: definition.required });
  }

  const id = recordIdOf(organization, table.tableIndex, index);
  return {
    id,
    title: recordTitleOf(organization, table.tableIndex, index),
    url: `https://app.pipefy.com/database_v2/tables/${table.id}/records/${id}`,
    path: `/database_v2/tables/${table.id}/records/${id}`,
    done,
    due_date: null,
    finished_at: done ? formatIsoZ(updatedMs) : null,
    created_at: formatIsoZ(createdMs),
    updated_at: formatIsoZ(updatedMs),
    created_by: creator,
    table,
    status: done ? table.statuses[1] : table.statuses[0],
    assignees: pickSome(random, users, randomInt(random, 0, 2)),
    labels: pickSome(random, table.labels, randomInt(random, 0, 2)),
    record_fields: recordFields,
    parent_relations: (args: { relation_name?: string | null }) =>
      parentRelationsOf(organization, table, index).filter((relation) => args.relation_name == null || relation.name === args.relation_name),
    createdMicros,
  };
}

export type RecordData = ReturnType<typeof buildRecord>;

/**
 * Returns the indexes of the parent database's records that child record
 * `childIndex` is related to. Record 1 is related to every parent record, so
 * that a relation with more items than one page exists whenever the parent
 * database has more than 50 records.
 */
export function parentRecordIndexesOf(childIndex: number, parentCount: number): number[] {
  if (parentCount === 0 || childIndex % 3 === 0) return [];
  if (childIndex === 1) return Array.from({ length: parentCount }, (_, index) => index);
  const first = (childIndex * 7) % parentCount;
  const second = (childIndex * 7 + 1) % parentCount;
  return childIndex % 3 === 2 && second !== first ? [first, second] : [first];
}

function parentRelationsOf(organization: SeedOrganization, table: TableData, index: number) {
  return organization.tableRelations
    .filter((relation) => relation.child === table)
    .map((relation) => ({
      id: relation.id,
      name: relation.name,
      source_type: 'TableRelation',
      repo: relation.parent,
      repo_items: (args: PagingArgs & { done?: boolean | null }) => relatedRecordsPage(organization, relation, index, args),
    }));
}

/** Pages the parent records of one child record, as `TableRecordRelation.repo_items` does. */
function relatedRecordsPage(
  organization: SeedOrganization,
  relation: TableRelationData,
  childIndex: number,
  args: PagingArgs & { done?: boolean | null },
): Connection<object> {
  // The result type is declared because the nodes are records, which would make the inferred type circular.
  const parent = relation.parent;
  const indexes = parentRecordIndexesOf(childIndex, parent.recordCount).filter(
    (parentIndex) => args.done == null || generateRecordCore(organization, parent, parentIndex).done === args.done,
  );
  const page = offsetPage(indexes, args);
  const edges = page.edges.map((edge) => ({
    cursor: edge.cursor,
    // `__typename` resolves the `RepoItemTypes` union (Card | TableRecord).
    node: { __typename: 'TableRecord' as const, ...buildRecord(organization, parent, edge.node) },
  }));
  return { ...page, edges };
}

/** Pipefy's system user, the creator of template-seeded records (id "120"). */
const systemUser = {
  id: '120',
  name: 'Pipefy',
  username: 'pipefy',
  email: 'system@pipefy.com',
  displayName: 'Pipefy',
  avatarUrl: null,
  created_at: '2015-01-01T00:00:00Z',
  locale: 'en',
  timeZone: 'UTC',
  departmentKey: null,
};
