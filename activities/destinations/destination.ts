import type { Row, TableSchema } from '../warehouse/table-schema';

/** Rows for one table inside a {@link LoadBatch}. */
export interface TableRows {
  table: TableSchema;
  rows: Row[];
  /**
   * When set, every existing row whose `column` is one of `values` is deleted
   * before the batch's rows are inserted. Child tables use it so that a card
   * loaded again replaces its old fields, assignees and labels as a whole,
   * including the ones removed in Pipefy since the last load.
   */
  replaceWhere?: { column: string; values: string[] };
}

/** Key of one incremental cursor. */
export interface SyncStateKey {
  /** Connection name from the worker's configuration, never a token. */
  connection: string;
  /** Resource name, such as `cards`. */
  resource: string;
  /** Scope inside the resource, such as a pipe id; `org` for organization-wide resources. */
  scope: string;
}

export interface SyncState extends SyncStateKey {
  /** Resource-specific cursor, plain JSON. */
  cursor: unknown;
  /** Load that wrote this state. */
  loadId: string;
  /** When the state was written, ISO 8601 UTC. */
  updatedAt: string;
}

/** One record of the load table `_pipefy_loads`. */
export interface LoadRecord {
  loadId: string;
  syncId: string;
  resource: string;
  scope: string;
  page: number;
  rowCount: number;
}

/**
 * A unit of work that a destination commits atomically: the rows of one
 * fetched page for every table they touch, the load record and, optionally,
 * the cursor the page reached.
 */
export interface LoadBatch {
  /** Deterministic id: sync id, resource, scope and page. */
  loadId: string;
  tables: TableRows[];
  load: LoadRecord;
  /** Cursor written in the same transaction as the rows. */
  state?: Omit<SyncState, 'loadId' | 'updatedAt'>;
}

export interface LoadResult {
  loadId: string;
  /** Rows written per table name. */
  rowsByTable: Record<string, number>;
}

export interface TableSummary {
  name: string;
  rowCount: number;
  columns: { name: string; type: string }[];
}

/** Input of {@link Destination.markDeleted}. */
export interface MarkDeletedInput {
  /** `cards` or `table_records`; must have an `id` and a `deleted_at` column. */
  table: TableSchema;
  /** Column that contains the scope, such as `pipe_id`. */
  scopeColumn: string;
  scopeValue: string;
  /** Every id that exists in Pipefy for the scope now. */
  aliveIds: string[];
  /** Time to store in `deleted_at`, ISO 8601 UTC. */
  deletedAt: string;
}

/**
 * A warehouse that pipefy-sync loads into. One implementation per folder
 * under `activities/destinations/`; only that folder imports its driver.
 */
export interface Destination {
  readonly type: 'duckdb' | 'postgres' | 'snowflake' | 'bigquery';

  /**
   * Loads one batch in a single transaction: creates missing tables and
   * columns, widens changed column types (or adds a variant column, see
   * `variantColumnName`), merges every table's rows on its primary key
   * (delete matching keys, then insert; duplicates within the batch keep the
   * last row), applies `replaceWhere`, upserts the load record into
   * `_pipefy_loads` and the state into `_pipefy_state`.
   *
   * Idempotent: loading the same batch again leaves the tables as they were
   * after the first load, apart from `_loaded_at`.
   *
   * @throws DestinationError with `retryable` set by the destination's error
   * translator; nothing of the batch is kept when it throws.
   */
  loadBatch(batch: LoadBatch): Promise<LoadResult>;

  /**
   * In one transaction: sets `deleted_at` on the scope's rows whose id is not
   * in `aliveIds` and whose `deleted_at` is NULL, and clears it on rows whose
   * id is alive again. Returns how many rows it newly marked.
   *
   * Idempotent: marking the same scope again with the same ids changes nothing.
   */
  markDeleted(input: MarkDeletedInput): Promise<number>;

  /** Reads one cursor, or `undefined` when none was written. */
  readState(key: SyncStateKey): Promise<SyncState | undefined>;

  /** Lists the tables in the dataset with row counts and columns, for `show` and tests. */
  listTables(): Promise<TableSummary[]>;

  /**
   * Reads every row of a table in the dataset, ordered by `orderBy`. Values
   * come back in the same JavaScript form as {@link Row} documents. For tests,
   * `show` and reconciliation, not for large tables.
   */
  readRows(table: string, orderBy: string[]): Promise<Row[]>;

  /** Closes connections. The destination is unusable afterwards. */
  close(): Promise<void>;
}
