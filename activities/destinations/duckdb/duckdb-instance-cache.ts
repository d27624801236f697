import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';

import type { ColumnType } from '../../warehouse/table-schema';

/**
 * One open DuckDB file shared by every destination of this process that
 * names it. DuckDB lets one process open a file for writing, and a Temporal
 * worker runs many activities at once, so they share one instance and one
 * connection, and `serialize` runs their statements one after another:
 * transactions on one connection cannot interleave.
 */
export interface SharedDuckdb {
  readonly path: string;
  readonly connection: DuckDBConnection;
  /** Known columns per `dataset.table`, shared so that one destination's DDL is seen by the others. */
  readonly schemas: Map<string, Map<string, ColumnType>>;
  /** Datasets whose tables were read from `information_schema` into `schemas`. */
  readonly loadedDatasets: Set<string>;
  serialize<T>(work: () => Promise<T>): Promise<T>;
}

interface CacheEntry {
  /** Counted when a caller starts waiting, so a release during the open cannot close the file under it. */
  references: number;
  opened: Promise<{ shared: SharedDuckdb; instance: DuckDBInstance }>;
}

const openFiles = new Map<string, CacheEntry>();

const IN_MEMORY = ':memory:';

/**
 * Opens `path` (creating its folder) or reuses the instance already open in
 * this process. Every call must be matched by one {@link releaseDuckdb}.
 *
 * @throws the driver's error when the file cannot be opened, such as when
 * another process holds its lock.
 */
export async function acquireDuckdb(path: string): Promise<SharedDuckdb> {
  const key = path === IN_MEMORY ? IN_MEMORY : resolve(path);
  let entry = openFiles.get(key);
  if (!entry) {
    entry = { references: 0, opened: openShared(key) };
    openFiles.set(key, entry);
  }
  entry.references += 1;

  try {
    return (await entry.opened).shared;
  } catch (error) {
    entry.references -= 1;
    if (openFiles.get(key) === entry) openFiles.delete(key);
    throw error;
  }
}

/** Drops one reference to `shared`; the last one closes the connection and the file. */
export async function releaseDuckdb(shared: SharedDuckdb): Promise<void> {
  const entry = openFiles.get(shared.path);
  if (!entry) return;

  entry.references -= 1;
  if (entry.references > 0) return;

  openFiles.delete(shared.path);
  const { instance } = await entry.opened;
  await shared.serialize(async () => {
    shared.connection.closeSync();
    instance.closeSync();
  });
}

async function openShared(path: string): Promise<{ shared: SharedDuckdb; instance: DuckDBInstance }> {
  if (path !== IN_MEMORY) mkdirSync(dirname(path), { recursive: true });

  const instance = await DuckDBInstance.create(path);
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");

  let tail: Promise<unknown> = Promise.resolve();
  const serialize = <T>(work: () => Promise<T>): Promise<T> => {
    const result = tail.then(work);
    tail = result.catch(() => undefined);
    return result;
  };

  const shared: SharedDuckdb = { path, connection, schemas: new Map(), loadedDatasets: new Set(), serialize };
  return { shared, instance };
}
