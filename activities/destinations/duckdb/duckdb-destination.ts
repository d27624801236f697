import { LIST, VARCHAR, listValue, type DuckDBValue } from '@duckdb/node-api';

import { DestinationError } from '../../errors';
import type { DuckdbConfig } from '../config';
import type {
  Destination,
  LoadBatch,
  LoadResult,
  MarkDeletedInput,
  SyncState,
  SyncStateKey,
  TableRows,
  TableSummary,
} from '../destination';
import {
  LINEAGE_COLUMNS,
  LOADED_AT_COLUMN,
  LOAD_ID_COLUMN,
  deduplicateRows,
  planTable,
  toSqlText,
  type ColumnType,
  type Row,
  type TablePlan,
} from '../../warehouse/table-schema';
import { translateDuckdbError } from './duckdb-errors';
import { acquireDuckdb, releaseDuckdb, type SharedDuckdb } from './duckdb-instance-cache';
import { columnTypeOfDuckdb, duckdbType, fromDuckdbValue, quoteIdentifier as q } from './duckdb-types';

const LOADS_TABLE = '_pipefy_loads';
const STATE_TABLE = '_pipefy_state';
/** Temporary table, one per connection, that the appender fills with a table's rows as text. */
const STAGE_TABLE = '_pipefy_stage';

/**
 * Opens the DuckDB destination at `config.path` and creates the dataset's
 * schema and its `_pipefy_loads` and `_pipefy_state` tables when missing.
 * Destinations of one process that name the same file share one connection.
 *
 * @throws DestinationError, retryable when another process holds the file's lock.
 */
export async function openDuckdbDestination(config: DuckdbConfig): Promise<Destination> {
  let shared: SharedDuckdb;
  try {
    shared = await acquireDuckdb(config.path);
  } catch (error) {
    throw translateDuckdbError(error, 'open the database file', { destination: config.path });
  }

  const destination = new DuckdbDestination(shared, config.dataset);
  try {
    await destination.initialize();
  } catch (error) {
    await releaseDuckdb(shared);
    throw error;
  }
  return destination;
}

/**
 * A DuckDB file as a destination.
 *
 * Tables have no PRIMARY KEY constraint. DuckDB checks unique constraints
 * eagerly and keeps an index that blocks `ALTER COLUMN ... SET DATA TYPE`, so
 * the merge relies on deleting every key of the batch before inserting it,
 * inside the batch's transaction. Tables without a primary key delete the
 * rows of the same load id instead, so that loading a batch again stays
 * idempotent.
 */
class DuckdbDestination implements Destination {
  readonly type = 'duckdb';
  private closed = false;

  constructor(
    private readonly shared: SharedDuckdb,
    private readonly dataset: string,
  ) {}

  async initialize(): Promise<void> {
    const schema = q(this.dataset);
    await this.run('create the dataset', undefined, async (connection) => {
      await connection.run(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await connection.run(
        `CREATE TABLE IF NOT EXISTS ${schema}.${q(LOADS_TABLE)} (
          load_id VARCHAR PRIMARY KEY, sync_id VARCHAR, resource VARCHAR, scope VARCHAR,
          page BIGINT, row_count BIGINT, loaded_at TIMESTAMPTZ)`,
      );
      await connection.run(
        `CREATE TABLE IF NOT EXISTS ${schema}.${q(STATE_TABLE)} (
          connection VARCHAR, resource VARCHAR, scope VARCHAR, cursor JSON, load_id VARCHAR,
          updated_at TIMESTAMPTZ, PRIMARY KEY (connection, resource, scope))`,
      );
    });
  }

  /**
   * Loads one batch in one transaction; see {@link Destination.loadBatch}.
   * Idempotency key: `batch.loadId`. Merge strategy: delete the batch's keys
   * (and the `replaceWhere` rows), then insert.
   */
  async loadBatch(batch: LoadBatch): Promise<LoadResult> {
    const loadedAt = new Date().toISOString();
    const progress = { table: undefined as string | undefined };

    return this.run(`load batch ${batch.loadId}`, progress, async (connection) => {
      await this.loadKnownSchemas();
      await connection.run('BEGIN TRANSACTION');
      try {
        // One plan per entry, each building on the one before for the same
        // table: a table can appear twice in a batch (pipe and database labels).
        const plans = new Map<string, TablePlan>();
        const entryPlans: TablePlan[] = [];
        for (const tableRows of batch.tables) {
          progress.table = tableRows.table.name;
          const plan = await this.applyPlan(tableRows, plans);
          plans.set(tableRows.table.name, plan);
          entryPlans.push(plan);
        }

        const rowsByTable: Record<string, number> = {};
        for (const [index, tableRows] of batch.tables.entries()) {
          progress.table = tableRows.table.name;
          const written = await this.writeRows(tableRows, entryPlans[index], batch.loadId, loadedAt);
          rowsByTable[tableRows.table.name] = (rowsByTable[tableRows.table.name] ?? 0) + written;
        }

        progress.table = LOADS_TABLE;
        await this.writeLoadRecord(batch, loadedAt);
        progress.table = STATE_TABLE;
        await this.writeState(batch, loadedAt);
        progress.table = undefined;

        await connection.run(`DROP TABLE IF EXISTS temp.${q(STAGE_TABLE)}`);
        await connection.run('COMMIT');
        for (const [table, plan] of plans) this.shared.schemas.set(this.schemaKey(table), plan.columns);
        return { loadId: batch.loadId, rowsByTable };
      } catch (error) {
        // The rollback's own failure would hide the error that caused it, and
        // the rolled-back DDL makes the cached schemas unreliable.
        await connection.run('ROLLBACK').catch(() => undefined);
        this.forgetSchemas();
        throw error;
      }
    });
  }

  /**
   * Marks the scope's rows whose id is not alive, and clears the mark on
   * alive ones, in one transaction; see {@link Destination.markDeleted}.
   */
  async markDeleted(input: MarkDeletedInput): Promise<number> {
    return this.run(`mark deleted rows of ${input.table.name}`, { table: input.table.name }, async (connection) => {
      const columns = (await this.readColumns(input.table.name)).get(input.table.name);
      if (!columns?.has('deleted_at')) return 0;

      const table = this.tableName(input.table.name);
      const scope = q(input.scopeColumn);
      const aliveIds = listValue(input.aliveIds);
      await connection.run('BEGIN TRANSACTION');
      try {
        const marked = await connection.run(
          `UPDATE ${table} SET deleted_at = CAST($1 AS TIMESTAMPTZ)
           WHERE ${scope} = $2 AND deleted_at IS NULL AND id NOT IN (SELECT unnest($3))`,
          [input.deletedAt, input.scopeValue, aliveIds],
          [VARCHAR, VARCHAR, LIST(VARCHAR)],
        );
        await connection.run(
          `UPDATE ${table} SET deleted_at = NULL
           WHERE ${scope} = $1 AND deleted_at IS NOT NULL AND id IN (SELECT unnest($2))`,
          [input.scopeValue, aliveIds],
          [VARCHAR, LIST(VARCHAR)],
        );
        await connection.run('COMMIT');
        return Number(marked.rowsChanged);
      } catch (error) {
        await connection.run('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async readState(key: SyncStateKey): Promise<SyncState | undefined> {
    return this.run('read the sync state', { table: STATE_TABLE }, async (connection) => {
      const reader = await connection.runAndReadAll(
        `SELECT cursor, load_id, updated_at FROM ${this.tableName(STATE_TABLE)}
         WHERE connection = $1 AND resource = $2 AND scope = $3`,
        [key.connection, key.resource, key.scope],
      );
      const [row] = reader.getRowObjects();
      if (!row) return undefined;

      return {
        ...key,
        cursor: fromDuckdbValue(row.cursor, 'json'),
        loadId: String(row.load_id),
        updatedAt: fromDuckdbValue(row.updated_at, 'timestamp') as string,
      };
    });
  }

  async listTables(): Promise<TableSummary[]> {
    return this.run('list tables', undefined, async (connection) => {
      const columnsByTable = await this.readColumns();
      const summaries: TableSummary[] = [];
      for (const [name, columns] of columnsByTable) {
        const reader = await connection.runAndReadAll(`SELECT count(*) AS row_count FROM ${this.tableName(name)}`);
        summaries.push({
          name,
          rowCount: Number(reader.getRowObjects()[0].row_count),
          columns: [...columns].map(([column, dataType]) => ({ name: column, type: dataType })),
        });
      }
      return summaries;
    });
  }

  async readRows(table: string, orderBy: string[]): Promise<Row[]> {
    return this.run('read rows', { table }, async (connection) => {
      const columns = (await this.readColumns(table)).get(table);
      if (!columns) {
        throw new DestinationError(
          `DuckDB destination ${this.shared.path} has no table "${table}" in dataset "${this.dataset}". Check the table name.`,
          false,
          { destination: this.shared.path, table },
        );
      }

      const order = orderBy.length > 0 ? ` ORDER BY ${orderBy.map(q).join(', ')}` : '';
      const reader = await connection.runAndReadAll(`SELECT * FROM ${this.tableName(table)}${order}`);
      const types = [...columns].map(([name, dataType]) => [name, columnTypeOfDuckdb(dataType)] as const);
      return reader.getRowObjects().map((raw) => {
        const row: Row = {};
        for (const [name, type] of types) row[name] = fromDuckdbValue(raw[name], type);
        return row;
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await releaseDuckdb(this.shared);
  }

  /**
   * Runs `work` on the shared connection after every earlier call of this
   * process on the same file, and turns its errors into DestinationErrors.
   */
  private run<T>(
    action: string,
    progress: { table?: string } | undefined,
    work: (connection: SharedDuckdb['connection']) => Promise<T>,
  ): Promise<T> {
    if (this.closed) {
      const message = `DuckDB destination ${this.shared.path} is closed; open a new one to ${action}.`;
      return Promise.reject(new DestinationError(message, false, { destination: this.shared.path }));
    }

    return this.shared.serialize(async () => {
      try {
        return await work(this.shared.connection);
      } catch (error) {
        throw translateDuckdbError(error, action, { destination: this.shared.path, table: progress?.table });
      }
    });
  }

  /** Plans and runs the DDL that lets the table store the batch's columns and lineage columns. */
  private async applyPlan(tableRows: TableRows, plans: Map<string, TablePlan>): Promise<TablePlan> {
    const { name } = tableRows.table;
    const existing = plans.get(name)?.columns ?? this.shared.schemas.get(this.schemaKey(name));
    const plan = planTable(existing, [...tableRows.table.columns, ...LINEAGE_COLUMNS]);
    const table = this.tableName(name);
    const connection = this.shared.connection;

    if (plan.create) {
      const definitions = plan.addColumns.map((column) => `${q(column.name)} ${duckdbType(column.type)}`);
      await connection.run(`CREATE TABLE ${table} (${definitions.join(', ')})`);
      return plan;
    }
    for (const column of plan.addColumns) {
      await connection.run(`ALTER TABLE ${table} ADD COLUMN ${q(column.name)} ${duckdbType(column.type)}`);
    }
    for (const column of plan.alterColumns) {
      await connection.run(`ALTER TABLE ${table} ALTER COLUMN ${q(column.name)} SET DATA TYPE ${duckdbType(column.type)}`);
    }
    return plan;
  }

  /** Merges one table's rows; returns how many rows were inserted. */
  private async writeRows(tableRows: TableRows, plan: TablePlan, loadId: string, loadedAt: string): Promise<number> {
    const connection = this.shared.connection;
    const table = this.tableName(tableRows.table.name);
    const rows = deduplicateRows(tableRows.table, tableRows.rows);

    await this.deleteReplacedRows(tableRows, plan);
    await stageRows(this.shared, rows, plan, { [LOAD_ID_COLUMN]: loadId, [LOADED_AT_COLUMN]: loadedAt });

    const stage = `temp.${q(STAGE_TABLE)}`;
    const position = new Map(plan.targets.map((target, index) => [target.source.name, index]));
    // NOTE: without an index, this delete scans the table's key columns once
    // per batch, so its cost grows with the table: a batch of 1,000 cards took
    // about 0.65 s to load at 10,000 cards and 3.4 s at 500,000 (bench/REPORT.md).
    const primaryKey = tableRows.table.primaryKey;
    if (primaryKey.length > 0) {
      const matches = primaryKey.map((key) => {
        const index = position.get(key) as number;
        const target = plan.targets[index];
        return `${table}.${q(target.column)} = CAST(s.c${index} AS ${duckdbType(target.type)})`;
      });
      await connection.run(`DELETE FROM ${table} WHERE EXISTS (SELECT 1 FROM ${stage} s WHERE ${matches.join(' AND ')})`);
    } else {
      await connection.run(`DELETE FROM ${table} WHERE ${q(LOAD_ID_COLUMN)} = $1`, [loadId]);
    }

    const columns = plan.targets.map((target) => q(target.column));
    const values = plan.targets.map((target, index) => `CAST(c${index} AS ${duckdbType(target.type)})`);
    await connection.run(`INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${stage}`);
    return rows.length;
  }

  private async deleteReplacedRows(tableRows: TableRows, plan: TablePlan): Promise<void> {
    const replace = tableRows.replaceWhere;
    if (!replace || replace.values.length === 0 || plan.create) return;

    const type = plan.columns.get(replace.column);
    if (type === undefined) {
      throw new DestinationError(
        `Table "${tableRows.table.name}" has no column "${replace.column}" named by replaceWhere; declare it in the table schema.`,
        false,
        { destination: this.shared.path, table: tableRows.table.name },
      );
    }

    await this.shared.connection.run(
      `DELETE FROM ${this.tableName(tableRows.table.name)}
       WHERE ${q(replace.column)} IN (SELECT CAST(unnest($1) AS ${duckdbType(type)}))`,
      [listValue(replace.values)],
      [LIST(VARCHAR)],
    );
  }

  private async writeLoadRecord(batch: LoadBatch, loadedAt: string): Promise<void> {
    const { load } = batch;
    const table = this.tableName(LOADS_TABLE);
    await this.shared.connection.run(`DELETE FROM ${table} WHERE load_id = $1`, [batch.loadId]);
    await this.shared.connection.run(
      `INSERT INTO ${table} VALUES ($1, $2, $3, $4, CAST($5 AS BIGINT), CAST($6 AS BIGINT), CAST($7 AS TIMESTAMPTZ))`,
      [batch.loadId, load.syncId, load.resource, load.scope, load.page, load.rowCount, loadedAt],
    );
  }

  private async writeState(batch: LoadBatch, loadedAt: string): Promise<void> {
    const { state } = batch;
    if (!state) return;

    const table = this.tableName(STATE_TABLE);
    const key = [state.connection, state.resource, state.scope];
    await this.shared.connection.run(`DELETE FROM ${table} WHERE connection = $1 AND resource = $2 AND scope = $3`, key);
    await this.shared.connection.run(
      `INSERT INTO ${table} VALUES ($1, $2, $3, CAST($4 AS JSON), $5, CAST($6 AS TIMESTAMPTZ))`,
      [...key, JSON.stringify(state.cursor ?? null), batch.loadId, loadedAt],
    );
  }

  /** Reads the dataset's tables into the shared schema cache once per process, so existing tables are seen. */
  private async loadKnownSchemas(): Promise<void> {
    if (this.shared.loadedDatasets.has(this.dataset)) return;

    for (const [table, columns] of await this.readColumns()) {
      const types = new Map<string, ColumnType>();
      for (const [name, dataType] of columns) types.set(name, columnTypeOfDuckdb(dataType));
      this.shared.schemas.set(this.schemaKey(table), types);
    }
    this.shared.loadedDatasets.add(this.dataset);
  }

  private forgetSchemas(): void {
    for (const key of this.shared.schemas.keys()) {
      if (key.startsWith(`${this.dataset}.`)) this.shared.schemas.delete(key);
    }
    this.shared.loadedDatasets.delete(this.dataset);
  }

  /** Returns the `data_type` of every column, by table, in column order. */
  private async readColumns(onlyTable?: string): Promise<Map<string, Map<string, string>>> {
    const reader = await this.shared.connection.runAndReadAll(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_catalog = current_database() AND table_schema = $1 AND ($2 IS NULL OR table_name = $2)
       ORDER BY table_name, ordinal_position`,
      [this.dataset, onlyTable ?? null],
      [VARCHAR, VARCHAR],
    );

    const tables = new Map<string, Map<string, string>>();
    for (const row of reader.getRowObjects()) {
      const table = String(row.table_name);
      if (!tables.has(table)) tables.set(table, new Map());
      tables.get(table)?.set(String(row.column_name), String(row.data_type));
    }
    return tables;
  }

  private tableName(table: string): string {
    return `${q(this.dataset)}.${q(table)}`;
  }

  private schemaKey(table: string): string {
    return `${this.dataset}.${table}`;
  }
}

/**
 * Replaces the stage table with the rows as text, one VARCHAR column `cN` per
 * plan target. The appender writes into DuckDB's storage without a statement
 * per row. The INSERT that follows casts each column to its type, so a value
 * that the type rejects fails the batch.
 */
async function stageRows(shared: SharedDuckdb, rows: Row[], plan: TablePlan, lineage: Row): Promise<void> {
  const columns = plan.targets.map((_, index) => `c${index} VARCHAR`);
  await shared.connection.run(`CREATE OR REPLACE TEMP TABLE ${q(STAGE_TABLE)} (${columns.join(', ')})`);
  if (rows.length === 0) return;

  const appender = await shared.connection.createAppender(STAGE_TABLE, 'main', 'temp');
  try {
    for (const row of rows) {
      for (const target of plan.targets) {
        const name = target.source.name;
        const value: DuckDBValue = toSqlText(name in lineage ? lineage[name] : row[name], target.source.type);
        if (value === null) appender.appendNull();
        else appender.appendVarchar(value);
      }
      appender.endRow();
    }
    appender.flushSync();
  } finally {
    appender.closeSync();
  }
}
