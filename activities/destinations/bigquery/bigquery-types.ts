import { createHash } from 'node:crypto';

import { canonicalDecimal, type ColumnType } from '../../warehouse/table-schema';

/**
 * BigQuery type of each column type. NUMERIC is DECIMAL(38, 9), the precision
 * and scale that `decimal` promises.
 */
const BIGQUERY_TYPES: Record<ColumnType, string> = {
  text: 'STRING',
  bigint: 'INT64',
  double: 'FLOAT64',
  decimal: 'NUMERIC',
  boolean: 'BOOL',
  timestamp: 'TIMESTAMP',
  date: 'DATE',
  json: 'JSON',
};

export function bigqueryType(type: ColumnType): string {
  return BIGQUERY_TYPES[type];
}

/**
 * Returns the type for DDL statements. A decimal is spelled NUMERIC(38, 9),
 * which has the same range as NUMERIC, because bqemulator 1.4.0 turns a bare
 * NUMERIC in DDL into DECIMAL(18, 3) and drops digits.
 */
export function bigqueryDdlType(type: ColumnType): string {
  return type === 'decimal' ? 'NUMERIC(38, 9)' : bigqueryType(type);
}

/**
 * Maps a field type of the table metadata back to a column type. The API
 * returns legacy names (INTEGER, FLOAT, BOOLEAN) as well as standard ones.
 * Types this destination never creates map to the nearest column type, and
 * the rest to `text`.
 */
export function columnTypeOfBigquery(fieldType: string | undefined): ColumnType {
  switch ((fieldType ?? '').toUpperCase()) {
    case 'INTEGER':
    case 'INT64':
      return 'bigint';
    case 'FLOAT':
    case 'FLOAT64':
      return 'double';
    case 'NUMERIC':
    case 'BIGNUMERIC':
    case 'DECIMAL':
    case 'BIGDECIMAL':
      return 'decimal';
    case 'BOOLEAN':
    case 'BOOL':
      return 'boolean';
    case 'TIMESTAMP':
    case 'DATETIME':
      return 'timestamp';
    case 'DATE':
      return 'date';
    case 'JSON':
      return 'json';
    default:
      return 'text';
  }
}

/**
 * Returns whether a column of type `from` is widened to `to` in place with
 * ALTER COLUMN SET DATA TYPE. Only INT64 to FLOAT64 is. Every other widening
 * copies the column, which needs no type coercion from the ALTER statement.
 *
 * NOTE: the in-place path has run only on bqemulator 1.4.0, whose ALTER
 * COLUMN accepts more type changes than BigQuery.
 */
export function canAlterColumnType(from: ColumnType | undefined, to: ColumnType): boolean {
  return from === 'bigint' && to === 'double';
}

/** Prefix of the description that stores the original name of a table or column whose name was changed. */
export const ORIGINAL_NAME_DESCRIPTION = 'pipefy-sync original name: ';

/**
 * Names kept as they are: lower case, so that BigQuery's case-insensitive
 * column names cannot collide, and at most 280 characters, so that the
 * `__widening` copy of a column stays under 300.
 */
const PLAIN_NAME = /^[a-z_][a-z0-9_]{0,279}$/;

/** Column name prefixes that BigQuery reserves. */
const RESERVED_PREFIXES = ['_table_', '_file_', '_partition', '_row_timestamp', '__root__', '_colidentifier'];

/**
 * Returns the name under which BigQuery stores a table or column: the name
 * itself when it is plain lower-case snake_case, otherwise its characters
 * reduced to `[a-z0-9_]` and cut to 100, followed by a hash of the whole name.
 * BigQuery column names cannot contain `"` or emoji and ignore case, so two
 * names that differ only there still get different stored names. The
 * original is kept in the description, and {@link originalName} reads it back.
 */
export function physicalName(name: string): string {
  const lower = name.toLowerCase();
  if (PLAIN_NAME.test(name) && !RESERVED_PREFIXES.some((prefix) => lower.startsWith(prefix))) return name;

  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  const readable = lower
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 100);
  const prefix = /^[a-z]/.test(readable) ? readable : `c_${readable}`;
  return `${prefix.replace(/_+$/, '')}_${hash}`;
}

/** Returns the name a table or column was created with, from its stored name and description. */
export function originalName(stored: string, description: string | undefined): string {
  return description?.startsWith(ORIGINAL_NAME_DESCRIPTION) ? description.slice(ORIGINAL_NAME_DESCRIPTION.length) : stored;
}

/** Returns the description that records `name` when its stored name differs, or `undefined`. */
export function originalNameDescription(name: string): string | undefined {
  return physicalName(name) === name ? undefined : ORIGINAL_NAME_DESCRIPTION + name;
}

/** Quotes a table or column name in backticks, escaping backslashes and backticks. */
export function quoteIdentifier(name: string): string {
  return `\`${name.replace(/[\\`]/g, (character) => `\\${character}`)}\``;
}

/**
 * Returns `text` as a GoogleSQL string expression. Text with control
 * characters becomes `CODE_POINTS_TO_STRING([...])`, because bqemulator
 * 1.4.0 does not decode `\n` or `\u` escapes in literals; both forms mean the
 * same in BigQuery.
 */
export function stringLiteral(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    const codePoints = [...text].map((character) => character.codePointAt(0));
    return `CODE_POINTS_TO_STRING([${codePoints.join(', ')}])`;
  }
  return `'${text.replace(/[\\']/g, (character) => `\\${character}`)}'`;
}

/**
 * Returns the SQL expression that turns the STRING in `expression` into a
 * value of `type`, or SQL NULL when `lenient` is set and the text is not a
 * valid value (for validating a batch before any change). Decimals go
 * through PARSE_NUMERIC: bqemulator 1.4.0 casts to NUMERIC as DECIMAL(18, 3).
 */
export function castFromText(expression: string, type: ColumnType, lenient = false): string {
  const safe = lenient ? 'SAFE.' : '';
  switch (type) {
    case 'text':
      return expression;
    case 'json':
      return `${safe}PARSE_JSON(${expression})`;
    case 'decimal':
      return `${safe}PARSE_NUMERIC(${expression})`;
    default:
      return `${lenient ? 'SAFE_CAST' : 'CAST'}(${expression} AS ${bigqueryType(type)})`;
  }
}

/**
 * Returns the expression that converts an existing column of type `from` to
 * `to` while a column is widened by copying it.
 */
export function widenExpression(column: string, from: ColumnType | undefined, to: ColumnType): string {
  if (to === 'text') return from === 'json' ? `TO_JSON_STRING(${column})` : `CAST(${column} AS STRING)`;
  if (to === 'decimal') return `PARSE_NUMERIC(CAST(${column} AS STRING))`;
  return `CAST(${column} AS ${bigqueryType(to)})`;
}

/**
 * Returns the expression that reads a column as text or a number that
 * {@link fromBigqueryValue} converts, so that the client library's own
 * parsing of NUMERIC, INT64, TIMESTAMP and JSON values plays no part.
 */
export function readExpression(column: string, type: ColumnType): string {
  switch (type) {
    case 'json':
      return `TO_JSON_STRING(${column})`;
    case 'timestamp':
      return `UNIX_MILLIS(${column})`;
    case 'bigint':
    case 'decimal':
    case 'date':
      return `CAST(${column} AS STRING)`;
    default:
      return column;
  }
}

/**
 * Converts a value selected with {@link readExpression} to the JavaScript
 * form of its column type: numbers for bigint and double, canonical decimal
 * text, ISO 8601 UTC timestamps with milliseconds, `YYYY-MM-DD` dates and
 * parsed JSON.
 */
export function fromBigqueryValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;

  switch (type) {
    case 'bigint':
    case 'double':
      return Number(value);
    case 'decimal':
      return canonicalDecimal(String(value));
    case 'timestamp':
      return new Date(Number(value)).toISOString();
    case 'json':
      return JSON.parse(String(value));
    default:
      return value;
  }
}
