/**
 * Destination-neutral description of a warehouse table.
 *
 * Every destination maps these column types to its own SQL types and adds the
 * lineage columns `_load_id` (text) and `_loaded_at` (timestamp) to every table.
 */

import { DestinationError } from '../errors';

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

/** Lineage columns as table columns, in the order destinations add them. */
export const LINEAGE_COLUMNS: readonly ColumnSchema[] = [
  { name: LOAD_ID_COLUMN, type: 'text', description: 'Load that wrote the row.' },
  { name: LOADED_AT_COLUMN, type: 'timestamp', description: 'When the row was loaded, UTC.' },
];

/**
 * Returns the canonical text of a decimal, the form in which every
 * destination's `readRows` returns decimals. It has no trailing zeros after
 * the dot, no dot for whole values, no leading `+`, and `-` only below zero:
 * `"350.21"`, `"12000"`, `"0.000000001"`.
 */
export function canonicalDecimal(text: string): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match) return text;

  const [, sign, integerDigits, fractionDigits = ''] = match;
  const integerPart = integerDigits.replace(/^0+(?=\d)/, '') || '0';
  const fractionPart = fractionDigits.replace(/0+$/, '');
  const isZero = /^0*$/.test(integerPart + fractionPart);
  const unsigned = fractionPart ? `${integerPart}.${fractionPart}` : integerPart;
  return sign === '-' && !isZero ? `-${unsigned}` : unsigned;
}

/**
 * Returns a row value as the SQL text literal that the warehouse casts to the
 * column's type, or `null` for SQL NULL. `type` is the type the value was
 * declared with, which may be narrower than the column it is written to:
 * `json` values are always JSON text, so a JSON string stays quoted.
 */
export function toSqlText(value: unknown, type: ColumnType): string | null {
  if (value === null || value === undefined) return null;
  if (type === 'json' || typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Destination of one batch column: the warehouse column it is written to and that column's type. */
export interface ColumnTarget {
  source: ColumnSchema;
  column: string;
  type: ColumnType;
}

/** Changes that make an existing table (or none) able to store a batch's columns. */
export interface TablePlan {
  /** The table does not exist; create it with `addColumns`. */
  create: boolean;
  addColumns: ColumnSchema[];
  /** Existing columns to change to the wider type given here. */
  alterColumns: ColumnSchema[];
  /** One entry per batch column, in the batch's order. */
  targets: ColumnTarget[];
  /** The table's columns and types once the plan is applied. */
  columns: Map<string, ColumnType>;
}

/**
 * Plans the schema changes for writing `columns` into a table whose current
 * columns are `existing` (`undefined` when the table does not exist).
 * A missing column is added. A column of another type is widened with
 * {@link widenColumnType} when one type can store both; otherwise the batch's values
 * go to the variant column {@link variantColumnName}, added when missing.
 */
export function planTable(existing: ReadonlyMap<string, ColumnType> | undefined, columns: readonly ColumnSchema[]): TablePlan {
  const plan: TablePlan = {
    create: existing === undefined,
    addColumns: [],
    alterColumns: [],
    targets: [],
    columns: new Map(existing ?? []),
  };

  for (const source of columns) {
    plan.targets.push(planColumn(plan, source));
  }
  return plan;
}

function planColumn(plan: TablePlan, source: ColumnSchema): ColumnTarget {
  const current = plan.columns.get(source.name);
  if (current === undefined) {
    plan.columns.set(source.name, source.type);
    plan.addColumns.push(source);
    return { source, column: source.name, type: source.type };
  }

  const widened = widenColumnType(current, source.type);
  if (widened === current) return { source, column: source.name, type: current };
  if (widened !== undefined) {
    plan.columns.set(source.name, widened);
    plan.alterColumns.push({ ...source, type: widened });
    return { source, column: source.name, type: widened };
  }

  const variant = variantColumnName(source.name, source.type);
  const variantType = plan.columns.get(variant);
  if (variantType !== undefined) return { source, column: variant, type: variantType };

  plan.columns.set(variant, source.type);
  plan.addColumns.push({ name: variant, type: source.type, description: source.description });
  return { source, column: variant, type: source.type };
}

/**
 * Returns the rows to insert: for a table with a primary key, the last row of
 * each key, as the batch contract requires.
 *
 * @throws DestinationError when a row has a column the table schema does not
 * declare, because its values would otherwise be dropped without notice.
 */
export function deduplicateRows(table: TableSchema, rows: Row[]): Row[] {
  const declared = new Set(table.columns.map((column) => column.name));
  for (const row of rows) {
    for (const name of Object.keys(row)) {
      if (declared.has(name)) continue;
      throw new DestinationError(
        `Row of table "${table.name}" has column "${name}" that the table schema does not declare; add it to the schema.`,
        false,
        { table: table.name },
      );
    }
  }

  if (table.primaryKey.length === 0) return rows;
  const byKey = new Map<string, Row>();
  for (const row of rows) {
    byKey.delete(rowKey(row, table.primaryKey));
    byKey.set(rowKey(row, table.primaryKey), row);
  }
  return [...byKey.values()];
}

function rowKey(row: Row, primaryKey: string[]): string {
  return JSON.stringify(primaryKey.map((column) => row[column] ?? null));
}
