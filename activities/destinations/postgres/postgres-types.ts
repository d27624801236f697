import { createHash } from 'node:crypto';

import { canonicalDecimal, type ColumnType } from '../../warehouse/table-schema';

/** PostgreSQL type of each column type. */
const POSTGRES_TYPES: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'bigint',
  double: 'double precision',
  decimal: 'numeric(38,9)',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  date: 'date',
  json: 'jsonb',
};

export function postgresType(type: ColumnType): string {
  return POSTGRES_TYPES[type];
}

/**
 * Maps the output of `format_type()` back to a column type. Types this
 * destination never creates map to the nearest column type, and anything
 * else to `text`.
 */
export function columnTypeOfPostgres(dataType: string): ColumnType {
  if (['bigint', 'integer', 'smallint'].includes(dataType)) return 'bigint';
  if (dataType === 'double precision' || dataType === 'real') return 'double';
  if (dataType.startsWith('numeric')) return 'decimal';
  if (dataType === 'boolean') return 'boolean';
  if (dataType.startsWith('timestamp')) return 'timestamp';
  if (dataType === 'date') return 'date';
  if (dataType === 'jsonb' || dataType === 'json') return 'json';
  return 'text';
}

/** Quotes an identifier, doubling embedded quotes, so that any name is safe in SQL. */
export function quoteIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** PostgreSQL truncates identifiers longer than NAMEDATALEN - 1 = 63 bytes (the default build). */
const MAX_IDENTIFIER_BYTES = 63;

/** Prefix of the comment that stores the full name of a table or column whose name was shortened. */
export const ORIGINAL_NAME_COMMENT = 'pipefy-sync original name: ';

/**
 * Returns the name under which PostgreSQL stores `name`: the name itself when
 * it fits in 63 bytes, otherwise its first characters and a hash of the whole
 * name, so that two long names that share a prefix stay apart. The full name
 * is kept in a comment that {@link originalName} reads back.
 */
export function physicalName(name: string): string {
  if (Buffer.byteLength(name) <= MAX_IDENTIFIER_BYTES) return name;

  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  let prefix = '';
  for (const character of name) {
    if (Buffer.byteLength(prefix + character) > MAX_IDENTIFIER_BYTES - hash.length - 1) break;
    prefix += character;
  }
  return `${prefix}_${hash}`;
}

/** Returns the name a table or column was created with, from its stored name and comment. */
export function originalName(stored: string, comment: string | null): string {
  return comment?.startsWith(ORIGINAL_NAME_COMMENT) ? comment.slice(ORIGINAL_NAME_COMMENT.length) : stored;
}

/**
 * Converts a value read by `pg` to the JavaScript form of its column type.
 * The pool's type parsers return BIGINT, NUMERIC and DATE as text, so they
 * arrive here unchanged; TIMESTAMPTZ arrives as a Date.
 */
export function fromPostgresValue(value: unknown, type: ColumnType): unknown {
  if (value === null || value === undefined) return null;

  switch (type) {
    case 'bigint':
      return Number(value);
    case 'double':
      return Number(value);
    case 'decimal':
      return canonicalDecimal(String(value));
    case 'timestamp':
      return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
    default:
      return value;
  }
}
