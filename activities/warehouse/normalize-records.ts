import type { TableRows } from '../destinations/destination';
import { type ApiFieldValue, fieldValueRow } from './field-values';
import { idList } from './normalize-cards';
import type { Row } from './table-schema';
import { TABLE_RECORD_ASSIGNEES, TABLE_RECORD_FIELDS, TABLE_RECORD_LABELS, TABLE_RECORDS } from './tables';
import { buildWideTableRows, wideTableName } from './typed-fields';
import { toUtcTimestamp } from './values';

type IdRef = { id: string } | null | undefined;

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
}

/**
 * Turns one page of database records into rows for `table_records`, its
 * child tables and the database's wide typed table.
 */
export function normalizeTableRecords(records: ApiTableRecord[], tableId: string): TableRows[] {
  const replaceRecords = { column: 'record_id', values: records.map((record) => record.id) };

  const recordRows: Row[] = [];
  const fieldRows: Row[] = [];
  const assigneeRows: Row[] = [];
  const labelRows: Row[] = [];

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
  }

  const wideItems = records.map((record) => ({ id: record.id, fields: (record.record_fields ?? []).filter(Boolean) }));

  return [
    { table: TABLE_RECORDS, rows: recordRows },
    { table: TABLE_RECORD_FIELDS, rows: fieldRows, replaceWhere: replaceRecords },
    { table: TABLE_RECORD_ASSIGNEES, rows: assigneeRows, replaceWhere: replaceRecords },
    { table: TABLE_RECORD_LABELS, rows: labelRows, replaceWhere: replaceRecords },
    ...buildWideTableRows(wideTableName('table', tableId), 'record_id', wideItems),
  ];
}
