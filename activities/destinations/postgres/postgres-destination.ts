import pg from 'pg';

import { DestinationError } from '../../errors';
import type { PostgresConfig } from '../config';
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
import { translatePostgresError } from './postgres-errors';
import {
  ORIGINAL_NAME_COMMENT,
  columnTypeOfPostgres,
  fromPostgresValue,
  originalName,
  physicalName,
  postgresType,
  quoteIdentifier as q,
} from './postgres-types';

const LOADS_TABLE = '_pipefy_loads';
const STATE_TABLE = '_pipefy_state';

/** Type OIDs read as text: int8 (20), numeric (1700) and date (1082), which `pg` would turn into lossy or local-time values. */
const TEXT_TYPE_OIDS = new Set([20, 1700, 1082]);

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    TEXT_TYPE_OIDS.has(oid) ? (value: string) => value : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

/** A table's columns, keyed by full name, with the name and type each is stored under. */
interface StoredTable {
  physical: string;
  columns: Map<string, { physical: string; dataType: string }>;
}

/**
 * Opens a pool to the PostgreSQL destination and creates the dataset's schema
 * and its `_pipefy_loads` and `_pipefy_state` tables when missing.
 *
 * @throws DestinationError: retryable when the server cannot be reached, not
 * retryable when it rejects the credentials or the database does not exist.
 */
export async function openPostgresDestination(config: PostgresConfig): Promise<Destination> {
  const pool = new pg.Pool({
    ...(config.connectionString
      ? { connectionString: config.connectionString }
      : { host: config.host, port: config.port, user: config.user, password: config.password, database: config.database }),
    ssl: config.ssl || undefined,
    // UTC makes casts from date to timestamptz land on midnight UTC.
    options: '-c TimeZone=UTC',
    application_name: 'pipefy-sync',
    connectionTimeoutMillis: 15_000,
    types: typeParsers,
  });
  // The pool discards a client that fails while idle. The next query opens a
  // new connection or fails with a translated error, so this event needs no action.
  pool.on('error', () => undefined);

  const destination = new PostgresDestination(pool, config);
  try {
    await destination.initialize();
  } catch (error) {
    await pool.end();
    throw error;
  }
  return destination;
}

/**
 * A PostgreSQL schema as a destination.
 *
 * Rows merge inside one transaction per batch: delete the batch's keys (and
 * the `replaceWhere` rows), then insert. The PRIMARY KEY constraint gives the
 * delete an index and rejects a key that a concurrent batch inserted first. Tables without a primary key delete
 * the rows of the same load id instead, so loading a batch again stays
 * idempotent. DDL runs before that transaction, one table per transaction
 * under an advisory lock on the table's name. Concurrent batches therefore
 * apply each change once, and a DDL transaction holds a single table lock,
 * which keeps it out of lock cycles with the data transactions.
 * A failed batch can therefore leave new empty tables or columns behind.
 */
class PostgresDestination implements Destination {
  readonly type = 'postgres';
  private readonly name: string;
  private readonly known = new Map<string, StoredTable>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly config: PostgresConfig,
  ) {
    this.name = describeServer(config);
  }

  async initialize(): Promise<void> {
    const schema = q(this.config.dataset);
    await this.withTransaction('create the dataset', undefined, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipefy-sync:${this.config.dataset}`]);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.${q(LOADS_TABLE)} (
          load_id text PRIMARY KEY, sync_id text, resource text, scope text,
          page bigint, row_count bigint, loaded_at timestamptz)`,
      );
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${schema}.${q(STATE_TABLE)} (
          connection text, resource text, scope text, cursor jsonb, load_id text,
          updated_at timestamptz, PRIMARY KEY (connection, resource, scope))`,
      );
    });
  }

  /**
   * Loads one batch; see {@link Destination.loadBatch}. Idempotency key:
   * `batch.loadId`. Merge strategy: delete matching keys, then insert, in one
   * transaction with the load record and the state upsert.
   */
  async loadBatch(batch: LoadBatch): Promise<LoadResult> {
    const progress: { table?: string } = {};
    // One plan per entry: a table can appear twice in a batch (pipe and database labels).
    const plans: TablePlan[] = [];
    for (const tableRows of batch.tables) {
      progress.table = tableRows.table.name;
      plans.push(await this.preparePlan(tableRows, progress));
    }

    const loadedAt = new Date().toISOString();
    return this.withTransaction(`load batch ${batch.loadId}`, progress, async (client) => {
      const rowsByTable: Record<string, number> = {};
      for (const [index, tableRows] of batch.tables.entries()) {
        progress.table = tableRows.table.name;
        const written = await this.writeRows(client, tableRows, plans[index], batch.loadId, loadedAt);
        rowsByTable[tableRows.table.name] = (rowsByTable[tableRows.table.name] ?? 0) + written;
      }

      progress.table = LOADS_TABLE;
      await this.writeLoadRecord(client, batch, loadedAt);
      progress.table = STATE_TABLE;
      await this.writeState(client, batch, loadedAt);
      progress.table = undefined;
      return { loadId: batch.loadId, rowsByTable };
    });
  }

  /**
   * Marks the scope's rows whose id is not alive, and clears the mark on
   * alive ones, in one transaction; see {@link Destination.markDeleted}.
   */
  async markDeleted(input: MarkDeletedInput): Promise<number> {
    const stored = (await this.readTables([physicalName(input.table.name)])).get(input.table.name);
    if (!stored?.columns.has('deleted_at')) return 0;

    const table = this.tableName(stored.physical);
    const scope = q(physicalName(input.scopeColumn));
    return this.withTransaction(`mark deleted rows of ${input.table.name}`, { table: input.table.name }, async (client) => {
      const marked = await client.query(
        `UPDATE ${table} SET deleted_at = $1::timestamptz
         WHERE ${scope} = $2 AND deleted_at IS NULL AND NOT (id = ANY($3::text[]))`,
        [input.deletedAt, input.scopeValue, input.aliveIds],
      );
      await client.query(
        `UPDATE ${table} SET deleted_at = NULL WHERE ${scope} = $1 AND deleted_at IS NOT NULL AND id = ANY($2::text[])`,
        [input.scopeValue, input.aliveIds],
      );
      return marked.rowCount ?? 0;
    });
  }

  async readState(key: SyncStateKey): Promise<SyncState | undefined> {
    const result = await this.query(
      'read the sync state',
      STATE_TABLE,
      `SELECT cursor, load_id, updated_at FROM ${this.tableName(STATE_TABLE)}
       WHERE connection = $1 AND resource = $2 AND scope = $3`,
      [key.connection, key.resource, key.scope],
    );
    const [row] = result.rows;
    if (!row) return undefined;

    return {
      ...key,
      cursor: row.cursor,
      loadId: row.load_id,
      updatedAt: fromPostgresValue(row.updated_at, 'timestamp') as string,
    };
  }

  async listTables(): Promise<TableSummary[]> {
    const tables = await this.readTables();
    const summaries: TableSummary[] = [];
    for (const [name, stored] of tables) {
      const count = await this.query('list tables', name, `SELECT count(*) AS row_count FROM ${this.tableName(stored.physical)}`);
      summaries.push({
        name,
        rowCount: Number(count.rows[0].row_count),
        columns: [...stored.columns].map(([column, { dataType }]) => ({ name: column, type: dataType })),
      });
    }
    return summaries;
  }

  async readRows(table: string, orderBy: string[]): Promise<Row[]> {
    const stored = (await this.readTables([physicalName(table)])).get(table);
    if (!stored) {
      throw new DestinationError(
        `PostgreSQL destination ${this.name} has no table "${table}" in schema "${this.config.dataset}". Check the table name.`,
        false,
        { destination: this.name, table },
      );
    }

    const columns = [...stored.columns];
    // Positional aliases keep any column name, however long or odd, out of the result's keys.
    const select = columns.map(([, column], index) => `${q(column.physical)} AS c${index}`).join(', ');
    const order = orderBy.length > 0 ? ` ORDER BY ${orderBy.map((name) => q(physicalName(name))).join(', ')}` : '';
    const result = await this.query('read rows', table, `SELECT ${select} FROM ${this.tableName(stored.physical)}${order}`);

    return result.rows.map((values: Record<string, unknown>) => {
      const row: Row = {};
      columns.forEach(([name, column], index) => {
        row[name] = fromPostgresValue(values[`c${index}`], columnTypeOfPostgres(column.dataType));
      });
      return row;
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /**
   * Returns the plan for one table of a batch, first running its DDL when the
   * cached columns show that the table or a column is missing or too narrow.
   * The DDL runs in its own transaction under an advisory lock on the table,
   * after reading the table's current columns again, so that concurrent
   * batches and other workers apply each change once.
   */
  private async preparePlan(tableRows: TableRows, progress: { table?: string }): Promise<TablePlan> {
    const { name } = tableRows.table;
    const columns = [...tableRows.table.columns, ...LINEAGE_COLUMNS];
    const cached = this.known.get(name);
    const plan = planTable(cached && columnTypes(cached), columns);
    if (!needsDdl(plan)) return plan;

    return this.withTransaction(`change the schema of table ${name}`, progress, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`pipefy-sync:${this.config.dataset}.${name}`]);
      const current = (await this.readTables([physicalName(name)], client)).get(name);
      const fresh = planTable(current && columnTypes(current), columns);
      await this.runDdl(client, tableRows.table.name, tableRows.table.primaryKey, fresh);

      const stored = (await this.readTables([physicalName(name)], client)).get(name);
      if (stored) this.known.set(name, stored);
      return fresh;
    });
  }

  private async runDdl(client: pg.PoolClient, name: string, primaryKey: string[], plan: TablePlan): Promise<void> {
    const table = this.tableName(physicalName(name));
    const definition = (column: { name: string; type: ColumnType }) => `${q(physicalName(column.name))} ${postgresType(column.type)}`;

    if (plan.create) {
      const definitions = plan.addColumns.map(definition);
      if (primaryKey.length > 0) definitions.push(`PRIMARY KEY (${primaryKey.map((key) => q(physicalName(key))).join(', ')})`);
      await client.query(`CREATE TABLE IF NOT EXISTS ${table} (${definitions.join(', ')})`);
      if (physicalName(name) !== name) {
        await client.query(`COMMENT ON TABLE ${table} IS ${literal(ORIGINAL_NAME_COMMENT + name)}`);
      }
    } else {
      for (const column of plan.addColumns) {
        await client.query(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${definition(column)}`);
      }
    }

    for (const column of plan.alterColumns) {
      const physical = q(physicalName(column.name));
      const type = postgresType(column.type);
      await client.query(`ALTER TABLE ${table} ALTER COLUMN ${physical} TYPE ${type} USING ${physical}::${type}`);
    }
    for (const column of plan.addColumns) {
      if (physicalName(column.name) === column.name) continue;
      const comment = literal(ORIGINAL_NAME_COMMENT + column.name);
      await client.query(`COMMENT ON COLUMN ${table}.${q(physicalName(column.name))} IS ${comment}`);
    }
  }

  /** Merges one table's rows; returns how many rows were inserted. */
  private async writeRows(
    client: pg.PoolClient,
    tableRows: TableRows,
    plan: TablePlan,
    loadId: string,
    loadedAt: string,
  ): Promise<number> {
    const table = this.tableName(physicalName(tableRows.table.name));
    const rows = deduplicateRows(tableRows.table, tableRows.rows);
    const lineage: Row = { [LOAD_ID_COLUMN]: loadId, [LOADED_AT_COLUMN]: loadedAt };
    const columnValues = plan.targets.map((target) =>
      rows.map((row) => {
        const name = target.source.name;
        return toSqlText(name in lineage ? lineage[name] : row[name], target.source.type);
      }),
    );
    const arrayOf = (index: number) => `$${index + 1}::${postgresType(plan.targets[index].type)}[]`;

    await this.deleteReplacedRows(client, tableRows, plan);

    const primaryKey = tableRows.table.primaryKey;
    if (primaryKey.length > 0 && rows.length > 0) {
      const indexes = primaryKey.map((key) => plan.targets.findIndex((target) => target.source.name === key));
      const keyColumns = indexes.map((index) => q(physicalName(plan.targets[index].column)));
      const keyArrays = indexes.map((index, position) => `$${position + 1}::${postgresType(plan.targets[index].type)}[]`);
      await client.query(
        `DELETE FROM ${table} WHERE (${keyColumns.join(', ')}) IN (SELECT * FROM unnest(${keyArrays.join(', ')}))`,
        indexes.map((index) => columnValues[index]),
      );
    } else if (primaryKey.length === 0) {
      await client.query(`DELETE FROM ${table} WHERE ${q(LOAD_ID_COLUMN)} = $1`, [loadId]);
    }
    if (rows.length === 0) return 0;

    // One array parameter per column, so the statement size does not grow
    // with the row count and never nears the 65,535 bind-parameter limit.
    const columns = plan.targets.map((target) => q(physicalName(target.column)));
    const arrays = plan.targets.map((_, index) => arrayOf(index));
    await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`, columnValues);
    return rows.length;
  }

  private async deleteReplacedRows(client: pg.PoolClient, tableRows: TableRows, plan: TablePlan): Promise<void> {
    const replace = tableRows.replaceWhere;
    if (!replace || replace.values.length === 0) return;

    const type = plan.columns.get(replace.column);
    if (type === undefined) {
      throw new DestinationError(
        `Table "${tableRows.table.name}" has no column "${replace.column}" named by replaceWhere; declare it in the table schema.`,
        false,
        { destination: this.name, table: tableRows.table.name },
      );
    }

    await client.query(
      `DELETE FROM ${this.tableName(physicalName(tableRows.table.name))}
       WHERE ${q(physicalName(replace.column))} = ANY($1::${postgresType(type)}[])`,
      [replace.values],
    );
  }

  private async writeLoadRecord(client: pg.PoolClient, batch: LoadBatch, loadedAt: string): Promise<void> {
    const { load } = batch;
    await client.query(
      `INSERT INTO ${this.tableName(LOADS_TABLE)} VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (load_id) DO UPDATE SET sync_id = EXCLUDED.sync_id, resource = EXCLUDED.resource,
         scope = EXCLUDED.scope, page = EXCLUDED.page, row_count = EXCLUDED.row_count, loaded_at = EXCLUDED.loaded_at`,
      [batch.loadId, load.syncId, load.resource, load.scope, load.page, load.rowCount, loadedAt],
    );
  }

  private async writeState(client: pg.PoolClient, batch: LoadBatch, loadedAt: string): Promise<void> {
    const { state } = batch;
    if (!state) return;

    await client.query(
      `INSERT INTO ${this.tableName(STATE_TABLE)} VALUES ($1, $2, $3, $4::jsonb, $5, $6)
       ON CONFLICT (connection, resource, scope) DO UPDATE SET cursor = EXCLUDED.cursor,
         load_id = EXCLUDED.load_id, updated_at = EXCLUDED.updated_at`,
      [state.connection, state.resource, state.scope, JSON.stringify(state.cursor ?? null), batch.loadId, loadedAt],
    );
  }

  /** Reads tables of the dataset (all, or those stored as `physicalNames`), keyed by their full names. */
  private async readTables(physicalNames?: string[], client?: pg.PoolClient): Promise<Map<string, StoredTable>> {
    const sql = `
      SELECT c.relname AS table_name, obj_description(c.oid, 'pg_class') AS table_comment,
             a.attname AS column_name, col_description(c.oid, a.attnum) AS column_comment,
             format_type(a.atttypid, a.atttypmod) AS data_type
      FROM pg_catalog.pg_class c
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
      JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        AND ($2::text[] IS NULL OR c.relname = ANY($2::text[]))
      ORDER BY c.relname, a.attnum`;
    const parameters = [this.config.dataset, physicalNames ?? null];
    const result = client
      ? await client.query(sql, parameters)
      : await this.query('read table columns', undefined, sql, parameters);

    const tables = new Map<string, StoredTable>();
    for (const row of result.rows) {
      const name = originalName(row.table_name, row.table_comment);
      if (!tables.has(name)) tables.set(name, { physical: row.table_name, columns: new Map() });
      tables.get(name)?.columns.set(originalName(row.column_name, row.column_comment), {
        physical: row.column_name,
        dataType: row.data_type,
      });
    }
    return tables;
  }

  private async query(
    action: string,
    table: string | undefined,
    statement: string,
    values?: unknown[],
  ): Promise<pg.QueryResult> {
    this.assertOpen(action);
    try {
      return await this.pool.query(statement, values);
    } catch (error) {
      throw translatePostgresError(error, action, { destination: this.name, table }, this.config.password);
    }
  }

  /** Runs `work` in a transaction on one pooled client: COMMIT when it returns, ROLLBACK when it throws. */
  private async withTransaction<T>(
    action: string,
    progress: { table?: string } | undefined,
    work: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    this.assertOpen(action);
    let client: pg.PoolClient | undefined;
    // The pool listens for errors only on idle clients. A connection that
    // breaks between two statements of this transaction emits 'error' on the
    // checked-out client, which would otherwise crash the worker process. The
    // next statement fails with the same cause, so the event needs no action.
    const ignoreConnectionError = () => undefined;
    try {
      client = await this.pool.connect();
      client.on('error', ignoreConnectionError);
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      // A failed ROLLBACK means the connection is gone, and the server drops
      // the transaction with it. The error that caused it is the one to report.
      await client?.query('ROLLBACK').catch(() => undefined);
      throw translatePostgresError(error, action, { destination: this.name, table: progress?.table }, this.config.password);
    } finally {
      client?.off('error', ignoreConnectionError);
      client?.release();
    }
  }

  private assertOpen(action: string): void {
    if (!this.closed) return;
    throw new DestinationError(`PostgreSQL destination ${this.name} is closed; open a new one to ${action}.`, false, {
      destination: this.name,
    });
  }

  private tableName(physical: string): string {
    return `${q(this.config.dataset)}.${q(physical)}`;
  }
}

function columnTypes(table: StoredTable): Map<string, ColumnType> {
  return new Map([...table.columns].map(([name, column]) => [name, columnTypeOfPostgres(column.dataType)]));
}

function needsDdl(plan: TablePlan): boolean {
  return plan.create || plan.addColumns.length > 0 || plan.alterColumns.length > 0;
}

/** Returns `text` as a SQL string literal, for statements such as COMMENT that take no bind parameters. */
function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Names the server as `host:port/database`, leaving out the user and password. */
function describeServer(config: PostgresConfig): string {
  if (!config.connectionString) return `${config.host}:${config.port}/${config.database}`;
  try {
    const url = new URL(config.connectionString);
    return `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    return '(connection string)';
  }
}
