import { DestinationError, type ErrorContext } from '../../errors';
import type { LoadBatch, MarkDeletedInput, TableRows } from '../destination';
import type { ColumnType, TablePlan } from '../../warehouse/table-schema';
import { castFromText, physicalName, quoteIdentifier as q, stringLiteral } from './bigquery-types';

/**
 * SQL of the BigQuery destination's transactions. Values are written as
 * literals, because bqemulator 1.4.0 does not pass query parameters into
 * multi-statement scripts, and `stringLiteral` makes any text safe there.
 */

/** A column as BigQuery stores it: its stored name and its column type. */
export interface PhysicalColumn {
  physical: string;
  type: ColumnType;
}

/** Returns the DELETE of the rows that `replaceWhere` replaces, or nothing. */
export function replaceStatements(target: string, tableRows: TableRows, plan: TablePlan, context: ErrorContext): string[] {
  const replace = tableRows.replaceWhere;
  if (!replace || replace.values.length === 0 || plan.create) return [];

  const type = plan.columns.get(replace.column);
  if (type === undefined) {
    throw new DestinationError(
      `Table "${tableRows.table.name}" has no column "${replace.column}" named by replaceWhere; declare it in the table schema.`,
      false,
      { ...context, table: tableRows.table.name },
    );
  }

  const values = replace.values.map((value) => castFromText(stringLiteral(value), type));
  return [`DELETE FROM ${target} WHERE ${q(physicalName(replace.column))} IN (${values.join(', ')})`];
}

export function loadRecordStatements(table: string, batch: LoadBatch, loadedAt: string): string[] {
  const { load } = batch;
  const values = [
    stringLiteral(batch.loadId),
    stringLiteral(load.syncId),
    stringLiteral(load.resource),
    stringLiteral(load.scope),
    String(Math.trunc(load.page)),
    String(Math.trunc(load.rowCount)),
    castFromText(stringLiteral(loadedAt), 'timestamp'),
  ];
  return [
    `DELETE FROM ${table} WHERE load_id = ${stringLiteral(batch.loadId)}`,
    `INSERT INTO ${table} (load_id, sync_id, resource, scope, page, row_count, loaded_at) VALUES (${values.join(', ')})`,
  ];
}

export function stateStatements(table: string, batch: LoadBatch, loadedAt: string): string[] {
  const { state } = batch;
  if (!state) return [];

  const key = `connection = ${stringLiteral(state.connection)} AND resource = ${stringLiteral(state.resource)} AND scope = ${stringLiteral(state.scope)}`;
  const values = [
    stringLiteral(state.connection),
    stringLiteral(state.resource),
    stringLiteral(state.scope),
    castFromText(stringLiteral(JSON.stringify(state.cursor ?? null)), 'json'),
    stringLiteral(batch.loadId),
    castFromText(stringLiteral(loadedAt), 'timestamp'),
  ];
  return [
    `DELETE FROM ${table} WHERE ${key}`,
    `INSERT INTO ${table} (connection, resource, scope, cursor, load_id, updated_at) VALUES (${values.join(', ')})`,
  ];
}

/**
 * Returns the script of `Destination.markDeleted`. It counts the rows
 * to mark inside the transaction, because bqemulator 1.4.0 has no
 * `@@row_count`, and its last statement returns that count as `marked`.
 */
export function markDeletedScript(
  table: string,
  alive: string,
  input: MarkDeletedInput,
  columns: { deletedAt: PhysicalColumn; id: PhysicalColumn; scope: PhysicalColumn },
): string {
  const deletedAt = q(columns.deletedAt.physical);
  const id = q(columns.id.physical);
  const inScope = `${q(columns.scope.physical)} = ${castFromText(stringLiteral(input.scopeValue), columns.scope.type)}`;
  const aliveIds = `SELECT ${castFromText('id', columns.id.type)} FROM ${alive}`;
  const vanished = `${inScope} AND ${deletedAt} IS NULL AND ${id} NOT IN (${aliveIds})`;

  return [
    'DECLARE marked INT64 DEFAULT 0',
    'BEGIN TRANSACTION',
    `SET marked = (SELECT COUNT(*) FROM ${table} WHERE ${vanished})`,
    `UPDATE ${table} SET ${deletedAt} = ${castFromText(stringLiteral(input.deletedAt), 'timestamp')} WHERE ${vanished}`,
    `UPDATE ${table} SET ${deletedAt} = NULL WHERE ${inScope} AND ${deletedAt} IS NOT NULL AND ${id} IN (${aliveIds})`,
    'COMMIT TRANSACTION',
    'SELECT marked AS marked',
  ].join(';\n');
}

export function transactionScript(statements: string[]): string {
  return ['BEGIN TRANSACTION', ...statements, 'COMMIT TRANSACTION'].join(';\n') + ';';
}
