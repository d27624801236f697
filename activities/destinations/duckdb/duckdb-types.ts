import {
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

import { canonicalDecimal, type ColumnType } from '../../warehouse/table-schema';

/**
 * DuckDB type of each column type. Timestamps are TIMESTAMPTZ: they keep the
 * instant whatever the session's time zone is, and every connection sets
 * `TimeZone` to UTC so that casts from DATE land on midnight UTC.
 */
const DUCKDB_TYPES: Record<ColumnType, string> = {
  text: 'VARCHAR',
  bigint: 'BIGINT',
  double: 'DOUBLE',
  decimal: 'DECIMAL(38, 9)',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
  json: 'JSON',
};

export function duckdbType(type: ColumnType): string {
  return DUCKDB_TYPES[type];
}

/**
 * Maps a `data_type` of `information_schema.columns` back to a column type.
 * Types this destination never creates map to the nearest column type, and
 * anything else to `text`.
 */
export function columnTypeOfDuckdb(dataType: string): ColumnType {
  const upper = dataType.toUpperCase();
  if (upper === 'VARCHAR') return 'text';
  if (['BIGINT', 'INTEGER', 'SMALLINT', 'TINYINT', 'HUGEINT', 'UBIGINT', 'UINTEGER'].includes(upper)) return 'bigint';
  if (upper === 'DOUBLE' || upper === 'FLOAT') return 'double';
  if (upper.startsWith('DECIMAL')) return 'decimal';
  if (upper === 'BOOLEAN') return 'boolean';
  if (upper.startsWith('TIMESTAMP')) return 'timestamp';
  if (upper === 'DATE') return 'date';
  if (upper === 'JSON') return 'json';
  return 'text';
}

/** Quotes an identifier, doubling embedded quotes, so that any name is safe in SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Converts a value read from DuckDB to the JavaScript form of its column type:
 * numbers for BIGINT, canonical decimal text, ISO 8601 UTC timestamps with
 * milliseconds, `YYYY-MM-DD` dates and parsed JSON.
 */
export function fromDuckdbValue(value: DuckDBValue, type: ColumnType): unknown {
  if (value === null) return null;

  switch (type) {
    case 'bigint':
      return Number(value);
    case 'decimal':
      return canonicalDecimal(value instanceof DuckDBDecimalValue ? value.toString() : String(value));
    case 'timestamp':
      return timestampToIso(value);
    case 'date':
      return value instanceof DuckDBDateValue ? value.toString() : String(value);
    case 'json':
      return typeof value === 'string' ? JSON.parse(value) : value;
    default:
      return value;
  }
}

function timestampToIso(value: DuckDBValue): string {
  if (value instanceof DuckDBTimestampTZValue || value instanceof DuckDBTimestampValue) {
    // Microseconds since the epoch; rows carry milliseconds, so the rest is dropped.
    const millis = value.micros / 1000n - (value.micros % 1000n < 0n ? 1n : 0n);
    return new Date(Number(millis)).toISOString();
  }
  return String(value);
}
