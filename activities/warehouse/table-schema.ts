/**
 * Destination-neutral description of a warehouse table.
 *
 * Every destination maps these column types to its own SQL types and adds the
 * lineage columns `_load_id` (text) and `_loaded_at` (timestamp) to every table.
 */

/**
 * Column types and the JavaScript value a row carries for each:
 *
 * | type        | row value                                                  |
 * | ----------- | ---------------------------------------------------------- |
 * | `text`      | `string`                                                   |
 * | `bigint`    | `number` (a safe integer)                                  |
 * | `double`    | `number`                                                   |
 * | `decimal`   | `string` with a dot decimal separator, such as `"350.21"`; |
 * |             | stored as DECIMAL(38, 9) so no precision is lost           |
 * | `boolean`   | `boolean`                                                  |
 * | `timestamp` | `string`, ISO 8601 in UTC: `2024-08-08T16:46:27.000Z`      |
 * | `date`      | `string`, `YYYY-MM-DD`                                     |
 * | `json`      | any JSON-serializable value (arrays, objects)              |
 *
 * `null` or `undefined` loads as SQL NULL for every type.
 */
export type ColumnType = 'text' | 'bigint' | 'double' | 'decimal' | 'boolean' | 'timestamp' | 'date' | 'json';

export const COLUMN_TYPES: readonly ColumnType[] = [
  'text',
  'bigint',
  'double',
  'decimal',
  'boolean',
  'timestamp',
  'date',
  'json',
];

export interface ColumnSchema {
  /** Column name, already normalized to snake_case by the caller. */
  name: string;
  type: ColumnType;
  /** What the column holds, for docs and `show`. */
  description?: string;
}

export interface TableSchema {
  /** Table name in snake_case, such as `cards` or `card_fields`. */
  name: string;
  columns: ColumnSchema[];
  /** Columns that identify a row; loads merge on them. */
  primaryKey: string[];
  description?: string;
}

/** One row, keyed by column name. Values follow {@link ColumnType}. */
export type Row = Record<string, unknown>;

/** Lineage columns that every destination adds to every table. */
export const LOAD_ID_COLUMN = '_load_id';
export const LOADED_AT_COLUMN = '_loaded_at';

/**
 * Returns the column type that can hold values of both `a` and `b` without
 * loss, or `undefined` when there is none and the new values must go to a
 * variant column instead.
 */
export function widenColumnType(a: ColumnType, b: ColumnType): ColumnType | undefined {
  if (a === b) return a;

  const numeric: ColumnType[] = ['bigint', 'double', 'decimal'];
  if (numeric.includes(a) && numeric.includes(b)) {
    // DECIMAL(38, 9) holds every bigint and every double Pipefy sends exactly
    // enough for analysis; double holds bigint.
    if (a === 'decimal' || b === 'decimal') return 'decimal';
    return 'double';
  }
  if ((a === 'date' && b === 'timestamp') || (a === 'timestamp' && b === 'date')) return 'timestamp';
  if (a === 'text' || b === 'text') return 'text';
  return undefined;
}

/** Name of the column that keeps values whose type does not fit `column`. */
export function variantColumnName(column: string, type: ColumnType): string {
  return `${column}__${type}`;
}
