import { log } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { DestinationConfig } from './destinations/config';
import type { Destination, LoadRecord, LoadResult, SyncState, SyncStateKey, TableRows } from './destinations/destination';
import { mergePages } from './merge-pages';
import { stagedName } from './staging';
import { CARDS, TABLE_RECORDS } from './warehouse/tables';
import { reportFailures } from './failures';
import { countRowsLoaded } from './metrics';
import type { StagingStore } from './staging';

export interface DestinationActivityDependencies {
  /** Returns a destination's settings by name; throws ConfigurationError for unknown names. */
  destinationConfig(name: string): DestinationConfig;
  open(config: DestinationConfig): Promise<Destination>;
  staging: StagingStore;
}

export interface LoadStagedBatchInput {
  destination: string;
  /** Staged pages to load as one batch, in page order. */
  stagedNames: string[];
  load: LoadRecord;
  /** Cursor to store in the same transaction as the rows. */
  state?: { connection: string; resource: string; scope: string; cursor: unknown };
}

export interface MarkDeletedRowsInput {
  destination: string;
  resource: 'cards' | 'table_records';
  scopeId: string;
  /** Load ids of the scan's id pages, `<scanLoadId>/<page>` for page 0 up to `pages - 1`. */
  scanLoadId: string;
  pages: number;
  /** Time stored in `deleted_at`. */
  deletedAt: string;
  load: LoadRecord;
  state: { connection: string; resource: string; scope: string; cursor: unknown };
}

export interface ReadSyncStateInput {
  destination: string;
  key: SyncStateKey;
}

/** Failure type the workflow handles by fetching the page again. */
export const STAGED_BATCH_MISSING = 'StagedBatchMissing';

/**
 * Activities that write to the warehouse. Destinations are opened once per
 * worker process and name, and reused by every activity.
 */
export function createDestinationActivities(deps: DestinationActivityDependencies) {
  const opened = new Map<string, Promise<Destination>>();

  function destinationFor(name: string): Promise<Destination> {
    let destination = opened.get(name);
    if (!destination) {
      destination = deps.open(deps.destinationConfig(name));
      // A failed open (warehouse down) must not stick: the next attempt opens again.
      destination.catch(() => opened.delete(name));
      opened.set(name, destination);
    }
    return destination;
  }

  return {
    /**
     * Loads staged pages into the warehouse as one batch, in one transaction
     * with its load record and cursor, then deletes the staged files. The
     * pages' tables are merged first (see `mergePages`), so the warehouse
     * runs its statements once per table for the whole group.
     *
     * Idempotent: the destination merges on primary keys, so loading the
     * same batch twice changes nothing. When a staged file is gone (the
     * batch was loaded and the activity's completion was lost, or the staging
     * folder was cleared) it fails with `StagedBatchMissing`, and the
     * workflow fetches the pages again.
     */
    async loadStagedBatch(input: LoadStagedBatchInput): Promise<LoadResult> {
      return reportFailures(async () => {
        const pages: TableRows[][] = [];
        for (const name of input.stagedNames) {
          const tables = await deps.staging.read(name);
          if (!tables) throw stagedFileMissing(`Staged batch ${name} is missing; its pages will be fetched again.`);
          pages.push(tables);
        }

        const destination = await destinationFor(input.destination);
        const started = Date.now();
        const tables = pages.length === 1 ? pages[0] : mergePages(pages);
        const result = await destination.loadBatch({ loadId: input.load.loadId, tables, load: input.load, state: input.state });
        await Promise.all(input.stagedNames.map((name) => deps.staging.discard(name)));
        countRowsLoaded(input.destination, result.rowsByTable);

        log.debug('Loaded batch', {
          loadId: input.load.loadId,
          destination: input.destination,
          pages: input.stagedNames.length,
          rows: input.load.rowCount,
          durationMs: Date.now() - started,
        });
        return result;
      });
    },

    /**
     * Ends a deletion scan: reads every staged id page of the scan, marks
     * the scope's rows whose id is gone with `deleted_at`, stores the
     * cursor, and deletes the staged pages. Returns rows newly marked.
     *
     * Idempotent; fails with `StagedBatchMissing` when a page is gone, and
     * the workflow scans again.
     */
    async markDeletedRows(input: MarkDeletedRowsInput): Promise<number> {
      return reportFailures(async () => {
        const names = Array.from({ length: input.pages }, (_, page) => stagedName(`${input.scanLoadId}/${page}`));
        const aliveIds: string[] = [];
        for (const name of names) {
          const ids = await deps.staging.readIds(name);
          if (!ids) throw stagedFileMissing(`Staged ids ${name} are missing; the deletion scan will run again.`);
          aliveIds.push(...ids);
        }

        const isCards = input.resource === 'cards';
        const destination = await destinationFor(input.destination);
        const marked = await destination.markDeleted({
          table: isCards ? CARDS : TABLE_RECORDS,
          scopeColumn: isCards ? 'pipe_id' : 'table_id',
          scopeValue: input.scopeId,
          aliveIds,
          deletedAt: input.deletedAt,
        });
        await destination.loadBatch({ loadId: input.load.loadId, tables: [], load: input.load, state: input.state });
        await Promise.all(names.map((name) => deps.staging.discard(name)));

        log.info('Deletion scan finished', { resource: input.resource, scopeId: input.scopeId, alive: aliveIds.length, marked });
        return marked;
      });
    },

    /** Reads one cursor from the warehouse; `null` when none was stored. */
    async readSyncState(input: ReadSyncStateInput): Promise<SyncState | null> {
      return reportFailures(async () => {
        const destination = await destinationFor(input.destination);
        return (await destination.readState(input.key)) ?? null;
      });
    },

    /** Closes every destination this process opened; for worker shutdown and tests. */
    async closeDestinations(): Promise<void> {
      const all = [...opened.values()];
      opened.clear();
      await Promise.all(all.map(async (destination) => (await destination.catch(() => undefined))?.close()));
    },
  };
}

export type DestinationActivities = ReturnType<typeof createDestinationActivities>;

/** Returns the failure that makes the workflow fetch a staged page again. */
function stagedFileMissing(message: string): ApplicationFailure {
  return ApplicationFailure.create({ message, type: STAGED_BATCH_MISSING, nonRetryable: true });
}
