import type { ColumnType, Row } from './table-schema';
import {
  parseDecimal,
  parseList,
  parseLocaleDate,
  parseLocaleDateTime,
  toIsoDate,
  toUtcTimestamp,
} from './values';

/** A card or record field value as the connector's queries select it. */
export interface ApiFieldValue {
  name?: string | null;
  value?: string | null;
  array_value?: (string | null)[] | null;
  date_value?: string | null;
  datetime_value?: string | null;
  float_value?: number | null;
  report_value?: string | null;
  filled_at?: string | null;
  updated_at?: string | null;
  indexName?: string | null;
  required?: boolean | null;
  field?: { id: string; internal_id?: string | null; uuid?: string | null; label?: string | null; type?: string | null } | null;
}

const DECIMAL_TYPES = new Set(['number', 'currency']);
const DATE_TYPES = new Set(['date']);
const DATETIME_TYPES = new Set(['datetime', 'due_date']);
const LIST_TYPES = new Set([
  'checklist_vertical',
  'checklist_horizontal',
  'label_select',
  'assignee_select',
  'attachment',
  'connector',
]);

/** The warehouse type of a field's typed value, from the Pipefy field type. */
export function columnTypeForFieldType(fieldType: string | null | undefined): ColumnType {
  const type = fieldType ?? '';
  if (DECIMAL_TYPES.has(type)) return 'decimal';
  if (DATE_TYPES.has(type)) return 'date';
  if (DATETIME_TYPES.has(type)) return 'timestamp';
  if (LIST_TYPES.has(type)) return 'json';
  return 'text';
}

/** The typed value of a field, in the form {@link columnTypeForFieldType} names; `null` when empty. */
export function typedFieldValue(field: ApiFieldValue): unknown {
  const type = field.field?.type ?? '';
  if (field.value === '' || field.value === null || field.value === undefined) {
    if (!Array.isArray(field.array_value)) return null;
  }

  switch (columnTypeForFieldType(type)) {
    case 'decimal':
      return parseDecimal(field.value) ?? (typeof field.float_value === 'number' ? parseDecimal(field.float_value) : null);
    case 'date':
      return toIsoDate(field.date_value) ?? parseLocaleDate(field.value);
    case 'timestamp':
      return toUtcTimestamp(field.datetime_value) ?? parseLocaleDateTime(field.value);
    case 'json':
      return parseList(field.value, field.array_value);
    default:
      return field.value ?? null;
  }
}

/**
 * One row of `card_fields` or `table_record_fields`: the raw value exactly as
 * sent, the API's typed companions, and this project's typed reading.
 */
export function fieldValueRow(field: ApiFieldValue, position: number): Row {
  const columnType = columnTypeForFieldType(field.field?.type);
  const typed = typedFieldValue(field);

  return {
    field_id: field.field?.id ?? null,
    field_internal_id: field.field?.internal_id ?? null,
    position,
    label: field.field?.label ?? field.name ?? null,
    type: field.field?.type ?? null,
    value: field.value ?? null,
    array_value: field.array_value ?? null,
    date_value: toIsoDate(field.date_value),
    datetime_value: toUtcTimestamp(field.datetime_value),
    float_value: typeof field.float_value === 'number' ? field.float_value : null,
    report_value: field.report_value ?? null,
    number_value: columnType === 'decimal' ? typed : null,
    date_parsed: columnType === 'date' ? typed : null,
    datetime_parsed: columnType === 'timestamp' ? typed : null,
    list_value: columnType === 'json' ? typed : null,
    index_name: field.indexName ?? null,
    filled_at: toUtcTimestamp(field.filled_at),
    updated_at: toUtcTimestamp(field.updated_at),
  };
}
