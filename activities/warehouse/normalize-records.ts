import type { TableRows } from '../destinations/destination';
import { type ApiFieldValue, fieldValueRow } from './field-values';
import { idList } from './normalize-cards';
import type { Row } from './table-schema';
import { TABLE_RECORD_ASSIGNEES, TABLE_RECORD_FIELDS, TABLE_RECORD_LABELS, TABLE_RECORD_RELATIONS, TABLE_RECORDS } from './tables';
import { buildWideTableRows, wideTableName } from './typed-fields';
import { toUtcTimestamp } from './values';

type IdRef = { id: string } | null | undefined;

/** A `TableRecordRelation` with the first page of its `repo_items`. */
interface ApiRecordRelation {
  id?: string | null;
  name?: string | null;
  source_type?: string | null;
  repo?: IdRef;
  repo_items?: { edges?: ({ node?: IdRef } | null)[] | null } | null;
}

/** A database record as `TABLE_RECORDS_PAGE_QUERY` selects it. */
export interface ApiTableRecord {
  id: string;
  title?: string | null;
  url?: string | null;
  path?: string | null;
  done?: boolean | null;
  due_date?: string | null;
  finished_at?: string | null;
  created_at?: string | null;
  updated_at?: string | null;
  created_by?: IdRef;
  table?: IdRef;
  status?: { id: string; name?: string | null } | null;
  assignees?: IdRef[] | null;
  labels?: IdRef[] | null;
  record_fields?: ApiFieldValue[] | null;
  parent_relations?: (ApiRecordRelation | null)[] | null;
}

/**
 * Turns one page of database records into rows for `table_records`, its
 * child tables and the database's wide typed table. Child tables carry
 * `replaceWhere` on the record ids, so a record loaded again replaces its
 * old children as a whole.
 */
export function normalizeTableRecords(records: ApiTableRecord[], tableId: string): TableRows[] {
  const replaceRecords = { column: 'record_id', values: records.map((record) => record.id) };

  const recordRows: Row[] = [];
  const fieldRows: Row[] = [];
  const assigneeRows: Row[] = [];
  const labelRows: Row[] = [];
  const relationRows: Row[] = [];

  for (const record of records) {
    recordRows.push({
      id: record.id,
      table_id: record.table?.id ?? tableId,
      title: record.title ?? null,
      url: record.url ?? null,
      path: record.path ?? null,
      done: record.done ?? null,
      due_date: toUtcTimestamp(record.due_date),
      finished_at: toUtcTimestamp(record.finished_at),
      created_at: toUtcTimestamp(record.created_at),
      updated_at: toUtcTimestamp(record.updated_at),
      created_by_id: record.created_by?.id ?? null,
      status_id: record.status?.id ?? null,
      status_name: record.status?.name ?? null,
      deleted_at: null,
    });

    (record.record_fields ?? []).forEach((field, position) => {
      if (!field?.field?.id) return;
      fieldRows.push({
        record_id: record.id,
        table_id: tableId,
        required: field.required ?? null,
        ...fieldValueRow(field, position),
      });
    });
    idList(record.assignees).forEach((userId, position) => assigneeRows.push({ record_id: record.id, user_id: userId, position }));
    idList(record.labels).forEach((labelId, position) => labelRows.push({ record_id: record.id, label_id: labelId, position }));
    relationRows.push(...relationRowsOf(record.id, record.parent_relations));
  }

  const wideItems = records.map((record) => ({ id: record.id, fields: (record.record_fields ?? []).filter(Boolean) }));

  return [
    { table: TABLE_RECORDS, rows: recordRows },
    { table: TABLE_RECORD_FIELDS, rows: fieldRows, replaceWhere: replaceRecords },
    { table: TABLE_RECORD_ASSIGNEES, rows: assigneeRows, replaceWhere: replaceRecords },
    { table: TABLE_RECORD_LABELS, rows: labelRows, replaceWhere: replaceRecords },
    { table: TABLE_RECORD_RELATIONS, rows: relationRows, replaceWhere: replaceRecords },
    ...buildWideTableRows(wideTableName('table', tableId), 'record_id', wideItems),
  ];
}

/**
 * Returns one row per related item of each relation. The items are the first
 * page of `repo_items` that `TABLE_RECORDS_PAGE_QUERY` reads, so a relation
 * with more than 50 items yields only 50 rows.
 */
function relationRowsOf(recordId: string, relations: (ApiRecordRelation | null)[] | null | undefined): Row[] {
  const rows: Row[] = [];
  (relations ?? []).forEach((relation, relationPosition) => {
    if (!relation) return;
    const items = (relation.repo_items?.edges ?? []).map((edge) => edge?.node);
    for (const relatedId of idList(items)) {
      rows.push({
        record_id: recordId,
        relation_position: relationPosition,
        relation_id: relation.id ?? null,
        relation_name: relation.name ?? null,
        source_type: relation.source_type ?? null,
        related_repo_id: relation.repo?.id ?? null,
        related_item_id: relatedId,
      });
    }
  });
  return rows;
}
