import { DestinationError, type ErrorContext } from '../../errors';
import type { SnowflakeConfig } from '../config';
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
import { connectSnowflake, type SnowflakeSession } from './snowflake-connection';
import { translateSnowflakeError } from './snowflake-errors';
import { castFromText, columnTypeOfSnowflake, fromSnowflakeValue, quoteIdentifier as q, snowflakeType } from './snowflake-types';

const LOADS_TABLE = '_pipefy_loads';
const STATE_TABLE = '_pipefy_state';

/**
 * Opens a Snowflake session and creates the dataset's schema and its
 * `_pipefy_loads` and `_pipefy_state` tables when missing. The database
 * must exist.
 *
 * @throws DestinationError when Snowflake cannot be reached or rejects the credentials.
 */
export async function openSnowflakeDestination(config: SnowflakeConfig): Promise<Destination> {
  const context: ErrorContext = { destination: `snowflake:${config.account}/${config.database}` };
  if (!config.password && !config.privateKeyPath) {
    throw new DestinationError(
      `Snowflake destination ${config.account} has neither password nor privateKeyPath; set one of them.`,
      false,
      context,
    );
  }

  let session: SnowflakeSession;
  try {
    session = await connectSnowflake(config);
  } catch (error) {
    throw translateSnowflakeError(error, 'connect', context);
  }

  const destination = new SnowflakeDestination(session, config.database, config.dataset, context);
  try {
    await destination.initialize();
  } catch (error) {
    await session.close();
    throw error;
  }
  return destination;
}

/** Changes made outside the batch's transaction, undone when the batch fails. */
interface SchemaChanges {
  createdTables: string[];
  addedColumns: { table: string; column: string }[];
}

/**
 * A Snowflake schema as a destination.
 *
 * Snowflake commits any open transaction before a DDL statement, so a batch
 * runs in three steps. First it stages every table's rows as text in
 * temporary tables and checks that each value casts to its column's type.
 * Then it creates tables and adds or widens columns. Last it deletes and
 * inserts the rows and writes the load record and state in one transaction.
 * When the last step fails, the tables and columns the batch created are
 * dropped again. Widened columns stay widened, which loses no value.
 */
class SnowflakeDestination implements Destination {
  readonly type = 'snowflake';
  private closed = false;
  /** Tail of the statement queue: the session runs one batch, read or DDL step at a time. */
  private queue: Promise<unknown> = Promise.resolve();
  private stageCounter = 0;

  constructor(
    private readonly session: SnowflakeSession,
    private readonly database: string,
    private readonly dataset: string,
    private readonly context: ErrorContext,
  ) {}

  async initialize(): Promise<void> {
    await this.run('create the dataset', undefined, async () => {
      await this.session.execute(`CREATE SCHEMA IF NOT EXISTS ${q(this.database)}.${q(this.dataset)}`);
      await this.session.execute(
        `CREATE TABLE IF NOT EXISTS ${this.tableName(LOADS_TABLE)} (
          "load_id" TEXT, "sync_id" TEXT, "resource" TEXT, "scope" TEXT,
          "page" NUMBER(38, 0), "row_count" NUMBER(38, 0), "loaded_at" TIMESTAMP_TZ)`,
      );
      await this.session.execute(
        `CREATE TABLE IF NOT EXISTS ${this.tableName(STATE_TABLE)} (
          "connection" TEXT, "resource" TEXT, "scope" TEXT, "cursor" VARIANT, "load_id" TEXT,
          "updated_at" TIMESTAMP_TZ)`,
      );
    });
  }

  /**
   * Loads one batch; see {@link Destination.loadBatch}. Idempotency key:
   * `batch.loadId`. Merge strategy: delete the batch's keys (and the
   * `replaceWhere` rows), then insert, in one transaction.
   */
  async loadBatch(batch: LoadBatch): Promise<LoadResult> {
    const loadedAt = new Date().toISOString();
    const progress: { table?: string } = {};

    return this.run(`load batch ${batch.loadId}`, progress, async () => {
      const existing = await this.readColumnTypes();
      // One plan per entry: a table can appear twice in a batch (pipe and
      // database labels), and each entry's plan builds on the one before it,
      // so the first creates the table and the next only adds or widens.
      const plans: TablePlan[] = [];
      const columnsBefore: (ReadonlyMap<string, ColumnType> | undefined)[] = [];
      const latest = new Map<string, ReadonlyMap<string, ColumnType>>();
      for (const tableRows of batch.tables) {
        const current = latest.get(tableRows.table.name) ?? existing.get(tableRows.table.name);
        const plan = planTable(current, [...tableRows.table.columns, ...LINEAGE_COLUMNS]);
        columnsBefore.push(current);
        plans.push(plan);
        latest.set(tableRows.table.name, plan.columns);
      }

      const stages: string[] = [];
      const changes: SchemaChanges = { createdTables: [], addedColumns: [] };
      try {
        for (const [index, tableRows] of batch.tables.entries()) {
          progress.table = tableRows.table.name;
          stages.push(await this.stageRows(tableRows, plans[index], { [LOAD_ID_COLUMN]: batch.loadId, [LOADED_AT_COLUMN]: loadedAt }));
        }
        for (const [index, tableRows] of batch.tables.entries()) {
          progress.table = tableRows.table.name;
          await this.applyPlan(tableRows.table.name, plans[index], columnsBefore[index], changes);
        }

        progress.table = undefined;
        const rowsByTable = await this.writeInTransaction(batch, plans, stages, loadedAt, progress);
        return { loadId: batch.loadId, rowsByTable };
      } catch (error) {
        await this.undoSchemaChanges(changes);
        throw error;
      } finally {
        for (const stage of stages) {
          // A temporary table left behind disappears with the session.
          await this.session.execute(`DROP TABLE IF EXISTS ${q(stage)}`).catch(() => undefined);
        }
      }
    });
  }

  /**
   * Marks rows of a scope deleted and clears the mark on alive ones; see
   * {@link Destination.markDeleted}. The alive ids are staged in a temporary
   * table first, because Snowflake commits any open transaction before DDL.
   */
  async markDeleted(input: MarkDeletedInput): Promise<number> {
    return this.run(`mark deleted rows of ${input.table.name}`, { table: input.table.name }, async () => {
      const columns = (await this.readColumns(input.table.name)).get(input.table.name);
      if (!columns?.some((column) => column.name === 'deleted_at')) return 0;

      this.stageCounter += 1;
      const stage = q(`_pipefy_alive_${this.stageCounter}`);
      await this.session.execute(`CREATE OR REPLACE TEMPORARY TABLE ${stage} ("id" TEXT)`);
      try {
        if (input.aliveIds.length > 0) {
          await this.session.execute(`INSERT INTO ${stage} VALUES (?)`, input.aliveIds.map((id) => [id]));
        }
        return await this.updateDeletedMarks(input, stage);
      } finally {
        await this.session.execute(`DROP TABLE IF EXISTS ${stage}`).catch(() => undefined);
      }
    });
  }

  async readState(key: SyncStateKey): Promise<SyncState | undefined> {
    return this.run('read the sync state', { table: STATE_TABLE }, async () => {
      const [row] = await this.session.execute(
        `SELECT "cursor", "load_id", "updated_at" FROM ${this.tableName(STATE_TABLE)}
         WHERE "connection" = ? AND "resource" = ? AND "scope" = ?`,
        [key.connection, key.resource, key.scope],
      );
      if (!row) return undefined;

      return {
        ...key,
        cursor: fromSnowflakeValue(row.cursor, 'json'),
        loadId: String(row.load_id),
        updatedAt: fromSnowflakeValue(row.updated_at, 'timestamp') as string,
      };
    });
  }

  async listTables(): Promise<TableSummary[]> {
    return this.run('list tables', undefined, async () => {
      const summaries: TableSummary[] = [];
      for (const [name, columns] of await this.readColumns()) {
        const [count] = await this.session.execute(`SELECT COUNT(*) AS "row_count" FROM ${this.tableName(name)}`);
        summaries.push({
          name,
          rowCount: Number(count.row_count),
          columns: columns.map((column) => ({ name: column.name, type: column.dataType })),
        });
      }
      return summaries;
    });
  }

  async readRows(table: string, orderBy: string[]): Promise<Row[]> {
    return this.run('read rows', { table }, async () => {
      const columns = (await this.readColumns(table)).get(table);
      if (!columns) {
        throw new DestinationError(
          `Snowflake schema "${this.dataset}" has no table "${table}". Check the table name.`,
          false,
          { ...this.context, table },
        );
      }

      const order = orderBy.length > 0 ? ` ORDER BY ${orderBy.map(q).join(', ')}` : '';
      const rows = await this.session.execute(`SELECT * FROM ${this.tableName(table)}${order}`);
      return rows.map((raw) => {
        const row: Row = {};
        for (const column of columns) row[column.name] = fromSnowflakeValue(raw[column.name], column.type);
        return row;
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.session.close();
  }

  /**
   * Runs `work` after every earlier call on this destination, because one
   * session cannot interleave two transactions, and turns its errors into
   * DestinationErrors.
   */
  private run<T>(action: string, progress: { table?: string } | undefined, work: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new DestinationError(`Snowflake destination is closed; open a new one to ${action}.`, false, this.context));
    }

    const result = this.queue.then(async () => {
      try {
        return await work();
      } catch (error) {
        throw translateSnowflakeError(error, action, { ...this.context, table: progress?.table });
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Creates a temporary table with one TEXT column `cN` per plan target,
   * fills it with the rows (deduplicated on the primary key) in one array
   * bind, and checks that every value casts to its target column's type.
   * Returns the stage table's name.
   *
   * @throws DestinationError, not retryable, naming the first column with a value its type rejects.
   */
  private async stageRows(tableRows: TableRows, plan: TablePlan, lineage: Row): Promise<string> {
    this.stageCounter += 1;
    const stage = `_pipefy_stage_${this.stageCounter}`;
    const columns = plan.targets.map((_, index) => `"c${index}" TEXT`);
    await this.session.execute(`CREATE OR REPLACE TEMPORARY TABLE ${q(stage)} (${columns.join(', ')})`);

    const rows = deduplicateRows(tableRows.table, tableRows.rows);
    if (rows.length === 0) return stage;

    const binds = rows.map((row) =>
      plan.targets.map((target) => {
        const name = target.source.name;
        const text = toSqlText(name in lineage ? lineage[name] : row[name], target.source.type);
        // A date written to a timestamp column is midnight UTC whatever the session's TIMEZONE is.
        return text !== null && target.source.type === 'date' && target.type === 'timestamp' ? `${text}T00:00:00Z` : text;
      }),
    );
    const placeholders = plan.targets.map(() => '?').join(', ');
    await this.session.execute(`INSERT INTO ${q(stage)} VALUES (${placeholders})`, binds);

    const checks = plan.targets.map(
      (target, index) => `COUNT_IF("c${index}" IS NOT NULL AND ${castFromText(`"c${index}"`, target.type, true)} IS NULL) AS "c${index}"`,
    );
    const [invalid] = await this.session.execute(`SELECT ${checks.join(', ')} FROM ${q(stage)}`);
    plan.targets.forEach((target, index) => {
      const count = Number(invalid[`c${index}`]);
      if (count === 0) return;
      throw new DestinationError(
        `Column "${target.column}" of table "${tableRows.table.name}" received ${count} value(s) that are not valid ${target.type}; fix the values or the column type.`,
        false,
        { ...this.context, table: tableRows.table.name },
      );
    });
    return stage;
  }

  /** Runs the DDL of `plan` and records in `changes` what it created. */
  private async applyPlan(
    table: string,
    plan: TablePlan,
    existing: ReadonlyMap<string, ColumnType> | undefined,
    changes: SchemaChanges,
  ): Promise<void> {
    const name = this.tableName(table);
    if (plan.create) {
      const definitions = plan.addColumns.map((column) => `${q(column.name)} ${snowflakeType(column.type)}`);
      await this.session.execute(`CREATE TABLE ${name} (${definitions.join(', ')})`);
      changes.createdTables.push(table);
      return;
    }

    for (const column of plan.addColumns) {
      await this.session.execute(`ALTER TABLE ${name} ADD COLUMN IF NOT EXISTS ${q(column.name)} ${snowflakeType(column.type)}`);
      changes.addedColumns.push({ table, column: column.name });
    }
    for (const column of plan.alterColumns) {
      await this.widenColumn(name, column.name, existing?.get(column.name), column.type);
    }
  }

  /**
   * Changes a column to a wider type by copying it: Snowflake's ALTER COLUMN
   * only lengthens text and raises a number's precision, and cannot turn
   * NUMBER into FLOAT, change a scale or turn DATE into TIMESTAMP_TZ.
   * The column moves to the end of the table.
   */
  private async widenColumn(table: string, column: string, from: ColumnType | undefined, to: ColumnType): Promise<void> {
    const copy = q(`${column}__widening`);
    // A date becomes midnight UTC whatever the session's TIMEZONE is.
    const value = from === 'date' && to === 'timestamp' ? `CAST(${q(column)} AS TEXT) || 'T00:00:00Z'` : q(column);
    await this.session.execute(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${copy} ${snowflakeType(to)}`);
    await this.session.execute(`UPDATE ${table} SET ${copy} = CAST(${value} AS ${snowflakeType(to)})`);
    await this.session.execute(`ALTER TABLE ${table} DROP COLUMN ${q(column)}`);
    await this.session.execute(`ALTER TABLE ${table} RENAME COLUMN ${copy} TO ${q(column)}`);
  }

  private async undoSchemaChanges(changes: SchemaChanges): Promise<void> {
    // Best effort: the batch's own error matters more than a failed cleanup,
    // and a column left behind contains only NULLs.
    for (const table of changes.createdTables) {
      await this.session.execute(`DROP TABLE IF EXISTS ${this.tableName(table)}`).catch(() => undefined);
    }
    for (const { table, column } of changes.addedColumns) {
      await this.session.execute(`ALTER TABLE ${this.tableName(table)} DROP COLUMN ${q(column)}`).catch(() => undefined);
    }
  }

  private async writeInTransaction(
    batch: LoadBatch,
    plans: TablePlan[],
    stages: string[],
    loadedAt: string,
    progress: { table?: string },
  ): Promise<Record<string, number>> {
    await this.session.execute('BEGIN TRANSACTION');
    try {
      const rowsByTable: Record<string, number> = {};
      for (const [index, tableRows] of batch.tables.entries()) {
        progress.table = tableRows.table.name;
        const written = await this.mergeRows(tableRows, plans[index], stages[index], batch.loadId);
        rowsByTable[tableRows.table.name] = (rowsByTable[tableRows.table.name] ?? 0) + written;
      }

      progress.table = LOADS_TABLE;
      await this.writeLoadRecord(batch, loadedAt);
      progress.table = STATE_TABLE;
      await this.writeState(batch, loadedAt);
      progress.table = undefined;

      await this.session.execute('COMMIT');
      return rowsByTable;
    } catch (error) {
      // The rollback's own failure would hide the error that caused it.
      await this.session.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  private async updateDeletedMarks(input: MarkDeletedInput, stage: string): Promise<number> {
    const table = this.tableName(input.table.name);
    const scope = q(input.scopeColumn);
    await this.session.execute('BEGIN TRANSACTION');
    try {
      const [marked] = await this.session.execute(
        `UPDATE ${table} SET "deleted_at" = CAST(? AS TIMESTAMP_TZ)
         WHERE ${scope} = ? AND "deleted_at" IS NULL AND "id" NOT IN (SELECT "id" FROM ${stage})`,
        [input.deletedAt, input.scopeValue],
      );
      await this.session.execute(
        `UPDATE ${table} SET "deleted_at" = NULL
         WHERE ${scope} = ? AND "deleted_at" IS NOT NULL AND "id" IN (SELECT "id" FROM ${stage})`,
        [input.scopeValue],
      );
      await this.session.execute('COMMIT');
      return firstCount(marked);
    } catch (error) {
      await this.session.execute('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  /** Deletes the rows the stage replaces and inserts the stage; returns how many rows were inserted. */
  private async mergeRows(tableRows: TableRows, plan: TablePlan, stage: string, loadId: string): Promise<number> {
    const table = this.tableName(tableRows.table.name);
    await this.deleteReplacedRows(tableRows, plan);

    const primaryKey = tableRows.table.primaryKey;
    if (primaryKey.length > 0) {
      const matches = primaryKey.map((key) => {
        const index = plan.targets.findIndex((target) => target.source.name === key);
        const target = plan.targets[index];
        return `t.${q(target.column)} = ${castFromText(`s."c${index}"`, target.type)}`;
      });
      await this.session.execute(`DELETE FROM ${table} AS t USING ${q(stage)} AS s WHERE ${matches.join(' AND ')}`);
    } else {
      await this.session.execute(`DELETE FROM ${table} WHERE ${q(LOAD_ID_COLUMN)} = ?`, [loadId]);
    }

    const columns = plan.targets.map((target) => q(target.column));
    const values = plan.targets.map((target, index) => castFromText(`"c${index}"`, target.type));
    const [inserted] = await this.session.execute(
      `INSERT INTO ${table} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${q(stage)}`,
    );
    return firstCount(inserted);
  }

  private async deleteReplacedRows(tableRows: TableRows, plan: TablePlan): Promise<void> {
    const replace = tableRows.replaceWhere;
    if (!replace || replace.values.length === 0 || plan.create) return;

    const type = plan.columns.get(replace.column);
    if (type === undefined) {
      throw new DestinationError(
        `Table "${tableRows.table.name}" has no column "${replace.column}" named by replaceWhere; declare it in the table schema.`,
        false,
        { ...this.context, table: tableRows.table.name },
      );
    }

    const placeholders = replace.values.map(() => castFromText('?', type)).join(', ');
    await this.session.execute(
      `DELETE FROM ${this.tableName(tableRows.table.name)} WHERE ${q(replace.column)} IN (${placeholders})`,
      replace.values,
    );
  }

  private async writeLoadRecord(batch: LoadBatch, loadedAt: string): Promise<void> {
    const { load } = batch;
    const table = this.tableName(LOADS_TABLE);
    await this.session.execute(`DELETE FROM ${table} WHERE "load_id" = ?`, [batch.loadId]);
    await this.session.execute(
      `INSERT INTO ${table} SELECT ?, ?, ?, ?, CAST(? AS NUMBER(38, 0)), CAST(? AS NUMBER(38, 0)), CAST(? AS TIMESTAMP_TZ)`,
      [batch.loadId, load.syncId, load.resource, load.scope, load.page, load.rowCount, loadedAt],
    );
  }

  private async writeState(batch: LoadBatch, loadedAt: string): Promise<void> {
    const { state } = batch;
    if (!state) return;

    const table = this.tableName(STATE_TABLE);
    const key = [state.connection, state.resource, state.scope];
    await this.session.execute(`DELETE FROM ${table} WHERE "connection" = ? AND "resource" = ? AND "scope" = ?`, key);
    await this.session.execute(
      `INSERT INTO ${table} SELECT ?, ?, ?, PARSE_JSON(?), ?, CAST(? AS TIMESTAMP_TZ)`,
      [...key, JSON.stringify(state.cursor ?? null), batch.loadId, loadedAt],
    );
  }

  private async readColumnTypes(): Promise<Map<string, Map<string, ColumnType>>> {
    const types = new Map<string, Map<string, ColumnType>>();
    for (const [table, columns] of await this.readColumns()) {
      types.set(table, new Map(columns.map((column) => [column.name, column.type])));
    }
    return types;
  }

  /** Returns the columns of every base table in the dataset, or of `onlyTable`, in column order. */
  private async readColumns(onlyTable?: string): Promise<Map<string, { name: string; dataType: string; type: ColumnType }[]>> {
    const rows = await this.session.execute(
      `SELECT c.table_name AS "table_name", c.column_name AS "column_name", c.data_type AS "data_type",
              c.numeric_scale AS "numeric_scale"
       FROM ${q(this.database)}.information_schema.columns AS c
       JOIN ${q(this.database)}.information_schema.tables AS t
         ON t.table_schema = c.table_schema AND t.table_name = c.table_name
       WHERE c.table_schema = ? AND t.table_type = 'BASE TABLE' AND (? IS NULL OR c.table_name = ?)
       ORDER BY c.table_name, c.ordinal_position`,
      [this.dataset, onlyTable ?? null, onlyTable ?? null],
    );

    const tables = new Map<string, { name: string; dataType: string; type: ColumnType }[]>();
    for (const row of rows) {
      const table = String(row.table_name);
      const dataType = String(row.data_type);
      const scale = row.numeric_scale === null || row.numeric_scale === undefined ? null : Number(row.numeric_scale);
      if (!tables.has(table)) tables.set(table, []);
      tables.get(table)?.push({ name: String(row.column_name), dataType, type: columnTypeOfSnowflake(dataType, scale) });
    }
    return tables;
  }

  private tableName(table: string): string {
    return `${q(this.database)}.${q(this.dataset)}.${q(table)}`;
  }
}

/** Returns the first column of a DML result row, where Snowflake reports the number of rows changed. */
function firstCount(row: Record<string, unknown> | undefined): number {
  return Number(Object.values(row ?? {})[0] ?? 0);
}
