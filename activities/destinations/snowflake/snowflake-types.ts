import { canonicalDecimal, type ColumnType } from '../../warehouse/table-schema';

/**
 * Snowflake type of each column type. Timestamps are TIMESTAMP_TZ, read back
 * as instants in UTC; json is VARIANT, written with PARSE_JSON.
 */
const SNOWFLAKE_TYPES: Record<ColumnType, string> = {
  text: 'TEXT',
  bigint: 'NUMBER(38, 0)',
  double: 'FLOAT',
  decimal: 'NUMBER(38, 9)',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP_TZ',
  date: 'DATE',
  json: 'VARIANT',
};

export function snowflakeType(type: ColumnType): string {
  return SNOWFLAKE_TYPES[type];
}

/**
 * Maps a column of `information_schema.columns` back to a column type.
 * NUMBER with scale 0 is bigint and with another scale decimal. Types this
 * destination never creates map to the nearest column type, and the rest to `text`.
 */
export function columnTypeOfSnowflake(dataType: string, numericScale: number | null): ColumnType {
  const upper = dataType.toUpperCase();
  if (upper === 'NUMBER' || upper === 'DECIMAL' || upper === 'FIXED') return numericScale ? 'decimal' : 'bigint';
  if (['FLOAT', 'DOUBLE', 'REAL'].includes(upper)) return 'double';
  if (upper === 'BOOLEAN') return 'boolean';
  if (upper.startsWith('TIMESTAMP')) return 'timestamp';
  if (upper === 'DATE') return 'date';
  if (['VARIANT', 'OBJECT', 'ARRAY'].includes(upper)) return 'json';
  return 'text';
}

/**
 * Quotes an identifier, doubling embedded quotes. Quoted identifiers keep
 * their case, so a snake_case name stays lower case instead of Snowflake's
 * upper-cased form of an unquoted name.
 */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/**
 * Returns the SQL expression that turns the text in `expression` into a
 * value of `type`, or SQL NULL when `lenient` is set and the text is not a
 * valid value (for validating a batch before any change).
 */
export function castFromText(expression: string, type: ColumnType, lenient = false): string {
  if (type === 'json') return `${lenient ? 'TRY_PARSE_JSON' : 'PARSE_JSON'}(${expression})`;
  if (type === 'text') return expression;
  return `${lenient ? 'TRY_CAST' : 'CAST'}(${expression} AS ${snowflakeType(type)})`;
}

/**
 * Converts a value that the driver returns (numbers as text, see
 * `fetchAsString`) to the JavaScript form of its column type: numbers for
 * bigint and double, canonical decimal text, ISO 8601 UTC timestamps with
 * milliseconds, `YYYY-MM-DD` dates and parsed JSON.
 */
export function fromSnowflakeValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;

  switch (type) {
    case 'bigint':
    case 'double':
      return isFetchedNull(value) ? null : Number(value);
    case 'decimal':
      return isFetchedNull(value) ? null : canonicalDecimal(String(value));
    case 'timestamp':
      return value instanceof Date ? new Date(value.getTime()).toISOString() : String(value);
    case 'date':
      return value instanceof Date ? new Date(value.getTime()).toISOString().slice(0, 10) : String(value);
    default:
      return value;
  }
}

/** snowflake-sdk 3.x returns SQL NULL as the text `NULL` for a type listed in `fetchAsString`. */
function isFetchedNull(value: unknown): boolean {
  return value === 'NULL';
}
