import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { BigQuery, Dataset, TableField } from '@google-cloud/bigquery';

import { DestinationError, type ErrorContext } from '../../errors';
import type { BigqueryConfig } from '../config';
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
  type ColumnSchema,
  type ColumnType,
  type Row,
  type TablePlan,
} from '../../warehouse/table-schema';
import { createBigqueryClient } from './bigquery-client';
import { translateBigqueryError } from './bigquery-errors';
import {
  loadRecordStatements,
  markDeletedScript,
  replaceStatements,
  stateStatements,
  transactionScript,
  type PhysicalColumn,
} from './bigquery-statements';
import {
  bigqueryDdlType,
  bigqueryType,
  canAlterColumnType,
  castFromText,
  columnTypeOfBigquery,
  fromBigqueryValue,
  originalName,
  originalNameDescription,
  physicalName,
  quoteIdentifier as q,
  readExpression,
  stringLiteral,
  widenExpression,
} from './bigquery-types';

const LOADS_TABLE = '_pipefy_loads';
const STATE_TABLE = '_pipefy_state';
/** Prefix of the per-batch staging tables, which `listTables` leaves out. */
const STAGE_PREFIX = '_pipefy_stage_';
/** A staging table that a crashed worker leaves behind expires after this long. */
const STAGE_LIFETIME_MS = 24 * 60 * 60 * 1000;

const LOADS_FIELDS: TableField[] = [
  { name: 'load_id', type: 'STRING' },
  { name: 'sync_id', type: 'STRING' },
  { name: 'resource', type: 'STRING' },
  { name: 'scope', type: 'STRING' },
  { name: 'page', type: 'INT64' },
  { name: 'row_count', type: 'INT64' },
  { name: 'loaded_at', type: 'TIMESTAMP' },
];

const STATE_FIELDS: TableField[] = [
  { name: 'connection', type: 'STRING' },
  { name: 'resource', type: 'STRING' },
  { name: 'scope', type: 'STRING' },
  { name: 'cursor', type: 'JSON' },
  { name: 'load_id', type: 'STRING' },
  { name: 'updated_at', type: 'TIMESTAMP' },
];

/** A stored column with its type as the table metadata spells it, such as `INTEGER`. */
interface StoredColumn extends PhysicalColumn {
  dataType: string;
}

/** A table as stored, with its columns keyed by their original names in metadata order. */
interface StoredTable {
  physical: string;
  columns: Map<string, StoredColumn>;
}

/** One `TableRows` of a batch with the columns it writes to and its deduplicated rows. */
interface PreparedRows {
  tableRows: TableRows;
  targets: TablePlan['targets'];
  rows: Row[];
  /** Staging table with the rows, or `undefined` when there are none. */
  stage?: string;
  /** Value of the staging table's `entry` column on this entry's rows. */
  entry: string;
}

/** Column of the batch's staging table that identifies the `TableRows` of each row. */
const ENTRY_COLUMN = 'entry';

/**
 * Opens the BigQuery destination and creates the dataset and its
 * `_pipefy_loads` and `_pipefy_state` tables when missing.
 *
 * @throws DestinationError: retryable when the API cannot be reached or
 * throttles, not retryable when it rejects the credentials or the project.
 */
export async function openBigqueryDestination(config: BigqueryConfig): Promise<Destination> {
  const context: ErrorContext = { destination: `bigquery:${config.projectId}/${config.dataset}` };
  const destination = new BigqueryDestination(createBigqueryClient(config), config, context);
  await destination.initialize();
  return destination;
}

/**
 * A BigQuery dataset as a destination.
 *
 * A batch runs in four steps. First, each table's rows go to their own
 * staging table as text, through a NEWLINE_DELIMITED_JSON load job, and one
 * query checks that every value casts to its column's type. Second, tables
 * are created and columns added or widened, outside any transaction because
 * BigQuery allows no DDL on permanent tables inside one. Third, one
 * multi-statement transaction deletes the batch's keys and `replaceWhere`
 * rows, inserts from the staging tables with casts, and writes the load
 * record and the state. Last, the staging tables are dropped. A batch that
 * fails after the second step leaves its new tables and columns behind,
 * empty or NULL, which the retry uses.
 */
class BigqueryDestination implements Destination {
  readonly type = 'bigquery';
  private readonly dataset: Dataset;
  private closed = false;
  /** Tail of the operation queue: batches of one destination never race each other's DDL or transactions. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly client: BigQuery,
    private readonly config: BigqueryConfig,
    private readonly context: ErrorContext,
  ) {
    this.dataset = client.dataset(config.dataset, { location: config.location });
  }

  async initialize(): Promise<void> {
    await this.run('create the dataset', undefined, async () => {
      const [exists] = await this.dataset.exists();
      if (!exists) await ignoreAlreadyExists(this.dataset.create({ location: this.config.location }));

      await ignoreAlreadyExists(this.dataset.createTable(LOADS_TABLE, { schema: { fields: LOADS_FIELDS } }));
      await ignoreAlreadyExists(this.dataset.createTable(STATE_TABLE, { schema: { fields: STATE_FIELDS } }));
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
      const stored = await this.readTables(batch.tables.map((tableRows) => tableRows.table.name));
      const plans = planTables(batch, stored);
      const prepared: PreparedRows[] = batch.tables.map((tableRows, index) => {
        const plan = plans.get(tableRows.table.name) as TablePlan;
        const targets = planTable(plan.columns, [...tableRows.table.columns, ...LINEAGE_COLUMNS]).targets;
        return { tableRows, targets, rows: deduplicateRows(tableRows.table, tableRows.rows), entry: String(index) };
      });

      try {
        await this.stageRows(prepared);
        for (const [table, plan] of plans) {
          progress.table = table;
          await this.applyPlan(table, plan, stored.get(table));
        }

        progress.table = undefined;
        await this.runScript(transactionScript(this.writeStatements(batch, prepared, plans, loadedAt)));
      } finally {
        await this.dropStages([...new Set(prepared.map((rows) => rows.stage))]);
      }

      const rowsByTable: Record<string, number> = {};
      for (const rows of prepared) {
        const name = rows.tableRows.table.name;
        rowsByTable[name] = (rowsByTable[name] ?? 0) + rows.rows.length;
      }
      return { loadId: batch.loadId, rowsByTable };
    });
  }

  /**
   * Marks the scope's rows whose id is not alive, and clears the mark on
   * alive ones, with two UPDATEs in one transaction; see
   * {@link Destination.markDeleted}. The alive ids go to a staging table
   * through a load job first, so that no statement grows with their number.
   */
  async markDeleted(input: MarkDeletedInput): Promise<number> {
    return this.run(`mark deleted rows of ${input.table.name}`, { table: input.table.name }, async () => {
      const stored = (await this.readTables([input.table.name])).get(input.table.name);
      const deletedAt = stored?.columns.get('deleted_at');
      const id = stored?.columns.get('id');
      const scope = stored?.columns.get(input.scopeColumn);
      if (!stored || !deletedAt || !id) return 0;
      if (!scope) {
        throw new DestinationError(
          `Table "${input.table.name}" has no scope column "${input.scopeColumn}"; declare it in the table schema.`,
          false,
          { ...this.context, table: input.table.name },
        );
      }

      const stage = await this.createStage([{ name: 'id', type: 'STRING' }]);
      try {
        await this.loadStage(stage, input.aliveIds.map((alive) => ({ id: alive })));
        const [result] = await this.runScript(markDeletedScript(this.tableName(stored.physical), this.tableName(stage), input, { deletedAt, id, scope }));
        return Number(result?.marked ?? 0);
      } finally {
        await this.dropStages([stage]);
      }
    });
  }

  async readState(key: SyncStateKey): Promise<SyncState | undefined> {
    return this.run('read the sync state', { table: STATE_TABLE }, async () => {
      const [row] = await this.query(
        `SELECT TO_JSON_STRING(cursor) AS cursor, load_id, UNIX_MILLIS(updated_at) AS updated_at
         FROM ${this.tableName(STATE_TABLE)}
         WHERE connection = @connection AND resource = @resource AND scope = @scope`,
        { connection: key.connection, resource: key.resource, scope: key.scope },
      );
      if (!row) return undefined;

      return {
        ...key,
        cursor: fromBigqueryValue(row.cursor, 'json'),
        loadId: String(row.load_id),
        updatedAt: fromBigqueryValue(row.updated_at, 'timestamp') as string,
      };
    });
  }

  async listTables(): Promise<TableSummary[]> {
    return this.run('list tables', undefined, async () => {
      const [tables] = await this.dataset.getTables();
      const summaries: TableSummary[] = [];
      for (const table of tables) {
        if (!table.id || table.id.startsWith(STAGE_PREFIX)) continue;

        const stored = await this.readTable(table.id);
        if (!stored) continue;
        const [count] = await this.query(`SELECT COUNT(*) AS row_count FROM ${this.tableName(table.id)}`);
        summaries.push({
          name: stored.name,
          rowCount: Number(count.row_count),
          columns: [...stored.table.columns].map(([name, column]) => ({ name, type: column.dataType })),
        });
      }
      return summaries;
    });
  }

  async readRows(table: string, orderBy: string[]): Promise<Row[]> {
    return this.run('read rows', { table }, async () => {
      const stored = (await this.readTables([table])).get(table);
      if (!stored) {
        throw new DestinationError(
          `BigQuery dataset ${this.config.projectId}.${this.config.dataset} has no table "${table}". Check the table name.`,
          false,
          { ...this.context, table },
        );
      }

      const columns = [...stored.columns];
      const select = columns.map(([, column], index) => `${readExpression(q(column.physical), column.type)} AS c${index}`);
      const order = orderBy.map((name) => q(stored.columns.get(name)?.physical ?? physicalName(name)));
      const orderClause = order.length > 0 ? ` ORDER BY ${order.join(', ')}` : '';
      const rows = await this.query(`SELECT ${select.join(', ')} FROM ${this.tableName(stored.physical)}${orderClause}`);

      return rows.map((values) => {
        const row: Row = {};
        columns.forEach(([name, column], index) => {
          row[name] = fromBigqueryValue(values[`c${index}`], column.type);
        });
        return row;
      });
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // The client keeps no connection open, so waiting for running work is all there is to do.
    await this.queue.catch(() => undefined);
  }

  /**
   * Runs `work` after every earlier call on this destination and turns its
   * errors into DestinationErrors naming the table in `progress`.
   */
  private run<T>(action: string, progress: { table?: string } | undefined, work: () => Promise<T>): Promise<T> {
    if (this.closed) {
      return Promise.reject(new DestinationError(`BigQuery destination ${this.context.destination} is closed; open a new one to ${action}.`, false, this.context));
    }

    const result = this.queue.then(async () => {
      try {
        return await work();
      } catch (error) {
        throw translateBigqueryError(error, action, { ...this.context, table: progress?.table });
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  /**
   * Loads the rows of every entry of a batch as text into one new staging
   * table, with one load job: column `entry` identifies the entry, and
   * column `cN` contains target N (lineage columns are written by the INSERT).
   * Then checks that every value casts to its target column's type, and sets
   * `stage` on each entry with rows.
   *
   * One load job per batch, whatever the number of tables, keeps a sync well
   * inside BigQuery's 100,000 load jobs per project per day. The target tables
   * take no load job (the merge is DML), and each staging table takes one, so
   * the 1,500 load jobs per table per day do not apply.
   *
   * @throws DestinationError, not retryable, naming the first column with a value its type rejects.
   */
  private async stageRows(prepared: PreparedRows[]): Promise<void> {
    const withRows = prepared
      .filter((entry) => entry.rows.length > 0)
      .map((entry) => ({
        entry,
        staged: entry.targets.map((target, index) => ({ target, column: `c${index}` })).filter(({ target }) => !isLineage(target.source)),
      }));
    if (withRows.length === 0) return;

    const width = Math.max(...withRows.map(({ entry }) => entry.targets.length));
    const fields: TableField[] = [{ name: ENTRY_COLUMN, type: 'STRING' }];
    for (let index = 0; index < width; index += 1) fields.push({ name: `c${index}`, type: 'STRING' });
    const stage = await this.createStage(fields);
    for (const { entry } of withRows) entry.stage = stage;

    await this.loadStage(
      stage,
      withRows.flatMap(({ entry, staged }) =>
        entry.rows.map((row) => {
          const values: Record<string, string | null> = { [ENTRY_COLUMN]: entry.entry };
          for (const { target, column } of staged) values[column] = stagedText(row[target.source.name], target);
          return values;
        }),
      ),
    );

    const checks = withRows.flatMap(({ entry, staged }) =>
      staged
        .filter(({ target }) => target.type !== 'text')
        .map(({ target, column }) => ({
          entry,
          target,
          alias: `e${entry.entry}_${column}`,
          sql: `COUNTIF(${ENTRY_COLUMN} = ${stringLiteral(entry.entry)} AND ${column} IS NOT NULL AND ${castFromText(column, target.type, true)} IS NULL)`,
        })),
    );
    if (checks.length === 0) return;

    const [invalid] = await this.query(`SELECT ${checks.map((check) => `${check.sql} AS ${check.alias}`).join(', ')} FROM ${this.tableName(stage)}`);
    for (const { entry, target, alias } of checks) {
      const count = Number(invalid[alias] ?? 0);
      if (count === 0) continue;
      throw new DestinationError(
        `Column "${target.column}" of table "${entry.tableRows.table.name}" received ${count} value(s) that are not valid ${target.type}; fix the values or the column type.`,
        false,
        { ...this.context, table: entry.tableRows.table.name },
      );
    }
  }

  /** Creates an empty staging table with the given fields that expires on its own. */
  private async createStage(fields: TableField[]): Promise<string> {
    const name = `${STAGE_PREFIX}${randomBytes(8).toString('hex')}`;
    await this.dataset.createTable(name, {
      schema: { fields },
      expirationTime: String(Date.now() + STAGE_LIFETIME_MS),
    });
    return name;
  }

  /** Appends `rows` to a staging table with one NEWLINE_DELIMITED_JSON load job; does nothing for no rows. */
  private async loadStage(stage: string, rows: Record<string, string | null>[]): Promise<void> {
    if (rows.length === 0) return;

    const folder = await mkdtemp(join(tmpdir(), 'pipefy-sync-bigquery-'));
    try {
      const file = join(folder, `${stage}.ndjson`);
      await writeFile(file, rows.map((row) => JSON.stringify(row)).join('\n') + '\n', 'utf8');
      await this.dataset.table(stage).load(file, {
        sourceFormat: 'NEWLINE_DELIMITED_JSON',
        writeDisposition: 'WRITE_APPEND',
        location: this.config.location,
      });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  }

  private async dropStages(stages: (string | undefined)[]): Promise<void> {
    for (const stage of stages) {
      if (!stage) continue;
      // Best effort: the batch's own error matters more, and a staging table expires on its own.
      await this.dataset
        .table(stage)
        .delete()
        .catch(() => undefined);
    }
  }

  /**
   * Creates the table, or adds and widens its columns, as `plan` lists, then
   * writes the columns' types and original names into the table metadata.
   */
  private async applyPlan(table: string, plan: TablePlan, stored: StoredTable | undefined): Promise<void> {
    if (plan.addColumns.length === 0 && plan.alterColumns.length === 0) return;

    const physical = physicalName(table);
    if (plan.create) {
      const fields = plan.addColumns.map(toField);
      const created = await ignoreAlreadyExists(this.dataset.createTable(physical, { schema: { fields }, description: originalNameDescription(table) }));
      // Created here: the fields are in place. Created meanwhile by another worker: add what it lacks.
      if (created) return;
    }

    const name = this.tableName(physical);
    if (plan.addColumns.length > 0) {
      const additions = plan.addColumns.map((column) => `ADD COLUMN IF NOT EXISTS ${q(physicalName(column.name))} ${bigqueryDdlType(column.type)}`);
      await this.runScript(`ALTER TABLE ${name} ${additions.join(', ')}`);
    }
    for (const column of plan.alterColumns) {
      await this.widenColumn(name, physicalName(column.name), stored?.columns.get(column.name)?.type, column.type);
    }
    await this.updateFieldMetadata(physical, [...plan.addColumns, ...plan.alterColumns]);
  }

  /**
   * Changes a column to a wider type: in place where BigQuery's ALTER COLUMN
   * SET DATA TYPE allows it, otherwise by adding a copy, filling it, dropping
   * the column and renaming the copy, which moves the column to the end.
   */
  private async widenColumn(table: string, column: string, from: ColumnType | undefined, to: ColumnType): Promise<void> {
    if (canAlterColumnType(from, to)) {
      await this.runScript(`ALTER TABLE ${table} ALTER COLUMN ${q(column)} SET DATA TYPE ${bigqueryType(to)}`);
      return;
    }

    const copy = `${column}__widening`;
    await this.runScript(
      [
        `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${q(copy)} ${bigqueryDdlType(to)}`,
        `UPDATE ${table} SET ${q(copy)} = ${widenExpression(q(column), from, to)} WHERE TRUE`,
        `ALTER TABLE ${table} DROP COLUMN ${q(column)}`,
        `ALTER TABLE ${table} RENAME COLUMN ${q(copy)} TO ${q(column)}`,
      ].join(';\n'),
    );
  }

  /**
   * Writes the type and original name of `columns` into the table's schema
   * metadata. On BigQuery the DDL already set the types, so this adds the
   * descriptions that carry original names. bqemulator 1.4.0 applies DDL to
   * the stored data but not to the metadata that tables.get returns, so there
   * this patch is also what makes added and widened columns visible.
   */
  private async updateFieldMetadata(physical: string, columns: ColumnSchema[]): Promise<void> {
    const table = this.dataset.table(physical);
    const [metadata] = await table.getMetadata();
    const fields: TableField[] = [...(metadata.schema?.fields ?? [])];

    for (const column of columns) {
      const field = toField(column);
      const index = fields.findIndex((existing) => existing.name?.toLowerCase() === field.name?.toLowerCase());
      if (index === -1) fields.push(field);
      else fields[index] = { ...fields[index], type: field.type, description: field.description ?? fields[index].description };
    }
    await table.setMetadata({ schema: { fields } });
  }

  /** Returns the statements of a batch's transaction: merge every table's rows, then the load record and the state. */
  private writeStatements(batch: LoadBatch, prepared: PreparedRows[], plans: Map<string, TablePlan>, loadedAt: string): string[] {
    const statements: string[] = [];
    const lineage: Row = { [LOAD_ID_COLUMN]: batch.loadId, [LOADED_AT_COLUMN]: loadedAt };

    const merged = new Set<string>();
    for (const rows of prepared) {
      const { table } = rows.tableRows;
      const target = this.tableName(physicalName(table.name));
      statements.push(...replaceStatements(target, rows.tableRows, plans.get(table.name) as TablePlan, this.context));

      // A table without a primary key loses the rows of an earlier attempt of this load, once per batch.
      const firstOfTable = !merged.has(table.name);
      merged.add(table.name);
      if (table.primaryKey.length === 0 && firstOfTable) {
        statements.push(`DELETE FROM ${target} WHERE ${q(LOAD_ID_COLUMN)} = ${stringLiteral(batch.loadId)}`);
      }
      if (!rows.stage) continue;

      const stage = this.tableName(rows.stage);
      const ofEntry = `${ENTRY_COLUMN} = ${stringLiteral(rows.entry)}`;
      if (table.primaryKey.length > 0) {
        const matches = table.primaryKey.map((key) => {
          const index = rows.targets.findIndex((candidate) => candidate.source.name === key);
          const keyTarget = rows.targets[index];
          return `t.${q(physicalName(keyTarget.column))} = ${castFromText(`s.c${index}`, keyTarget.type)}`;
        });
        statements.push(`DELETE FROM ${target} AS t WHERE EXISTS (SELECT 1 FROM ${stage} AS s WHERE s.${ofEntry} AND ${matches.join(' AND ')})`);
      }

      const columns = rows.targets.map((column) => q(physicalName(column.column)));
      const values = rows.targets.map((column, index) => {
        const name = column.source.name;
        const text = isLineage(column.source) ? stringLiteral(String(lineage[name])) : `c${index}`;
        return castFromText(text, column.type);
      });
      statements.push(`INSERT INTO ${target} (${columns.join(', ')}) SELECT ${values.join(', ')} FROM ${stage} WHERE ${ofEntry}`);
    }

    statements.push(...loadRecordStatements(this.tableName(LOADS_TABLE), batch, loadedAt));
    statements.push(...stateStatements(this.tableName(STATE_TABLE), batch, loadedAt));
    return statements;
  }

  /** Reads the stored form of the named tables; a table that does not exist is missing from the result. */
  private async readTables(names: string[]): Promise<Map<string, StoredTable>> {
    const tables = new Map<string, StoredTable>();
    for (const name of new Set(names)) {
      const stored = await this.readTable(physicalName(name));
      if (stored) tables.set(name, stored.table);
    }
    return tables;
  }

  /** Reads one table's metadata, or returns `undefined` when it does not exist. */
  private async readTable(physical: string): Promise<{ name: string; table: StoredTable } | undefined> {
    let metadata;
    try {
      [metadata] = await this.dataset.table(physical).getMetadata();
    } catch (error) {
      if ((error as { code?: unknown }).code === 404) return undefined;
      throw error;
    }

    const columns = new Map<string, StoredColumn>();
    for (const field of (metadata.schema?.fields ?? []) as TableField[]) {
      const stored = field.name ?? '';
      columns.set(originalName(stored, field.description), { physical: stored, dataType: field.type ?? 'STRING', type: columnTypeOfBigquery(field.type) });
    }
    return { name: originalName(physical, metadata.description), table: { physical, columns } };
  }

  /**
   * Runs a query job and returns its rows. It creates the job and then reads
   * its results, instead of calling `BigQuery.query`: against bqemulator
   * 1.4.0 that shortcut resolves with no rows when the statement fails.
   */
  private async query(sql: string, params?: Record<string, unknown>): Promise<Record<string, unknown>[]> {
    const [job] = await this.client.createQueryJob({ query: sql, params, location: this.config.location });
    const [rows] = await job.getQueryResults();
    return rows as Record<string, unknown>[];
  }

  /** Runs a statement or script without query parameters, which bqemulator 1.4.0 does not pass into scripts. */
  private async runScript(sql: string): Promise<Record<string, unknown>[]> {
    return this.query(sql);
  }

  private tableName(physical: string): string {
    return q(`${this.config.projectId}.${this.config.dataset}.${physical}`);
  }
}

/**
 * Plans the schema of every table the batch touches, from the stored columns
 * and the columns of all of its `TableRows` for that table.
 */
function planTables(batch: LoadBatch, stored: Map<string, StoredTable>): Map<string, TablePlan> {
  const columnsByTable = new Map<string, ColumnSchema[]>();
  for (const { table } of batch.tables) {
    columnsByTable.set(table.name, [...(columnsByTable.get(table.name) ?? []), ...table.columns]);
  }

  const plans = new Map<string, TablePlan>();
  for (const [name, columns] of columnsByTable) {
    const existing = stored.get(name);
    const types = existing && new Map([...existing.columns].map(([column, { type }]) => [column, type]));
    plans.set(name, planTable(types, [...columns, ...LINEAGE_COLUMNS]));
  }
  return plans;
}

/** Returns a row value as staged text; a date written to a timestamp column becomes midnight UTC. */
function stagedText(value: unknown, target: TablePlan['targets'][number]): string | null {
  const text = toSqlText(value, target.source.type);
  return text !== null && target.source.type === 'date' && target.type === 'timestamp' ? `${text}T00:00:00Z` : text;
}

function isLineage(column: ColumnSchema): boolean {
  return column.name === LOAD_ID_COLUMN || column.name === LOADED_AT_COLUMN;
}

function toField(column: ColumnSchema): TableField {
  return { name: physicalName(column.name), type: bigqueryType(column.type), description: originalNameDescription(column.name) };
}

/** Awaits a create call; returns `false` instead of throwing when the object already exists (HTTP 409). */
async function ignoreAlreadyExists(creation: Promise<unknown>): Promise<boolean> {
  try {
    await creation;
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 409) return false;
    throw error;
  }
}
