import type { TableRows } from '../destinations/destination';
import { type ApiFieldValue, columnTypeForFieldType, typedFieldValue } from './field-values';
import type { ColumnSchema, Row, TableSchema } from './table-schema';
import { FIELD_COLUMNS } from './tables';

/** Longest identifier every destination accepts (PostgreSQL: 63 bytes). */
const MAX_IDENTIFIER_LENGTH = 63;

/** Makes a lowercase snake_case identifier from any text. */
export function toIdentifier(text: string): string {
  const ascii = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  const safe = ascii === '' ? 'field' : /^[0-9]/.test(ascii) ? `f_${ascii}` : ascii;
  return safe.slice(0, MAX_IDENTIFIER_LENGTH);
}

/**
 * Name of the wide table of a pipe's cards or a database's records.
 *
 * NOTE: database ids are case-sensitive slugs and the name is lowercased, so
 * two databases whose ids differ only in case would share a table; Pipefy's
 * 8-character slugs make that unlikely but not impossible.
 */
export function wideTableName(kind: 'pipe' | 'table', id: string): string {
  const key = id.toLowerCase().replace(/[^a-z0-9_]+/g, '_');
  return kind === 'pipe' ? `pipe_${key}_cards` : `table_${key}_records`;
}

const RESERVED_COLUMNS = new Set(['_load_id', '_loaded_at']);

/** Column name of a field in a wide table; keyed by the field's stable slug, never its label. */
export function fieldColumnName(fieldId: string, keyColumn: string): string {
  const name = toIdentifier(fieldId);
  return name === keyColumn || RESERVED_COLUMNS.has(name) ? `field_${name}`.slice(0, MAX_IDENTIFIER_LENGTH) : name;
}

export interface WideItem {
  id: string;
  fields: ApiFieldValue[];
}

/**
 * Builds the rows of a wide typed table (one row per card or record, one
 * column per field) and the matching `field_columns` rows. Columns come from
 * the fields present in the page; the destination adds new ones as they
 * appear, and a field left empty on an item loads as NULL.
 */
export function buildWideTableRows(tableName: string, keyColumn: string, items: WideItem[]): TableRows[] {
  const columns = new Map<string, ColumnSchema>();
  const mappings = new Map<string, Row>();
  const rows: Row[] = [];

  for (const item of items) {
    const row: Row = { [keyColumn]: item.id };
    for (const field of item.fields) {
      const fieldId = field.field?.id;
      if (!fieldId) continue;

      const columnName = fieldColumnName(fieldId, keyColumn);
      const fieldType = field.field?.type ?? null;
      if (!columns.has(columnName)) {
        columns.set(columnName, { name: columnName, type: columnTypeForFieldType(fieldType), description: field.field?.label ?? undefined });
        mappings.set(columnName, {
          table_name: tableName,
          column_name: columnName,
          field_id: fieldId,
          field_label: field.field?.label ?? field.name ?? null,
          field_type: fieldType,
        });
      }
      row[columnName] = typedFieldValue(field);
    }
    rows.push(row);
  }

  const table: TableSchema = {
    name: tableName,
    description: `Typed field values, one row per ${keyColumn === 'card_id' ? 'card' : 'record'} and one column per field.`,
    primaryKey: [keyColumn],
    columns: [{ name: keyColumn, type: 'text' }, ...columns.values()],
  };

  const result: TableRows[] = [{ table, rows }];
  if (mappings.size > 0) result.push({ table: FIELD_COLUMNS, rows: [...mappings.values()] });
  return result;
}
