import { continueAsNew, defineQuery, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FetchPageResult } from '../activities/pipefy-activities';
import { destinationActivities, pipefyActivities } from './activity-proxies';
import type { ResourceName } from './inputs';
import { isActivityFailureOfType, type RateLimitWait, withRateLimitWaits } from './rate-limit';

/** Cursor stored in the warehouse per connection, resource and scope. */
export interface ResourceCursor {
  /** Window of `updated_at` being read (cards only); `null` ends are open. */
  updatedFrom: string | null;
  updatedTo: string | null;
  /** Relay cursor after the last loaded page of the window; `null` at its start. */
  after: string | null;
  /** Pages of the window loaded so far. */
  page: number;
  /** Whether the whole window is loaded. */
  complete: boolean;
  /** `updated_at` up to which every card is loaded; the next incremental sync starts here. */
  watermark: string | null;
}

export interface SyncResourceInput {
  syncId: string;
  connection: string;
  destination: string;
  resource: ResourceName;
  /** Pipe id for cards, database id for table records. */
  scopeId: string;
  mode: 'incremental' | 'full';
  lookbackMinutes: number;
  /** Explicit window for backfills; the stored cursor is neither read nor moved. */
  backfill?: { from: string; to: string };
  /** State carried across continue-as-new. */
  carried?: { cursor: ResourceCursor; totals: ResourceTotals };
}

export interface ResourceTotals {
  pages: number;
  items: number;
  rowsByTable: Record<string, number>;
  rateLimitWaits: number;
}

export interface ResourceProgress extends ResourceTotals {
  resource: ResourceName;
  scopeId: string;
  status: 'starting' | 'fetching' | 'loading' | 'waiting_for_rate_limit' | 'done';
  cursor: ResourceCursor | null;
  waitingUntil: string | null;
}

export const resourceProgressQuery = defineQuery<ResourceProgress>('resourceProgress');

/** Pages per workflow run before it continues as new; each page adds about 12 history events. */
const PAGES_PER_RUN = 400;

/**
 * Copies one resource of one scope (the cards of a pipe, or the records of a
 * database): a durable loop of one fetch and one load per page. The cursor
 * reaches the warehouse in the same transaction as the page that moved it,
 * so a new workflow resumes from the warehouse alone. Continues as new every
 * {@link PAGES_PER_RUN} pages, carrying its cursor and counters.
 */
export async function syncResourceWorkflow(input: SyncResourceInput): Promise<ResourceTotals> {
  const pipefy = pipefyActivities(input.connection);
  const warehouse = destinationActivities();
  const storesState = input.backfill === undefined;

  const totals: ResourceTotals = input.carried?.totals ?? { pages: 0, items: 0, rowsByTable: {}, rateLimitWaits: 0 };
  const progress: ResourceProgress = {
    ...totals,
    resource: input.resource,
    scopeId: input.scopeId,
    status: 'starting',
    cursor: input.carried?.cursor ?? null,
    waitingUntil: null,
  };
  setHandler(resourceProgressQuery, () => ({ ...progress, ...totals }));

  const cursor = input.carried?.cursor ?? (await startingCursor(input, storesState));
  progress.cursor = cursor;
  const onWait = (wait: RateLimitWait | null) => {
    progress.status = wait ? 'waiting_for_rate_limit' : progress.status;
    progress.waitingUntil = wait?.until ?? null;
    if (wait) totals.rateLimitWaits += 1;
  };

  let pagesThisRun = 0;
  while (!cursor.complete) {
    const loadId = `${input.syncId}/${input.resource}/${input.scopeId}/${input.backfill ? 'backfill/' : ''}${cursor.page}`;

    progress.status = 'fetching';
    const page: FetchPageResult = await withRateLimitWaits(() => fetchPage(pipefy, input, cursor, loadId), onWait);

    const next: ResourceCursor = {
      ...cursor,
      after: page.endCursor ?? cursor.after,
      page: cursor.page + 1,
      complete: !page.hasNextPage,
      watermark: page.hasNextPage ? cursor.watermark : (cursor.updatedTo ?? cursor.watermark),
    };

    progress.status = 'loading';
    try {
      await warehouse.loadStagedBatch({
        destination: input.destination,
        stagedName: page.stagedName,
        load: {
          loadId,
          syncId: input.syncId,
          resource: input.resource,
          scope: input.scopeId,
          page: cursor.page,
          rowCount: sumRows(page.rowsByTable),
        },
        state: storesState ? { connection: input.connection, resource: input.resource, scope: input.scopeId, cursor: next } : undefined,
      });
    } catch (error) {
      // The staged file is gone (lost after a successful load, or cleared): fetch the same page again.
      if (isActivityFailureOfType(error, 'StagedBatchMissing')) continue;
      throw error;
    }

    Object.assign(cursor, next);
    totals.pages += 1;
    totals.items += page.items;
    for (const [table, rows] of Object.entries(page.rowsByTable)) {
      totals.rowsByTable[table] = (totals.rowsByTable[table] ?? 0) + rows;
    }
    pagesThisRun += 1;

    if (!cursor.complete && (pagesThisRun >= PAGES_PER_RUN || workflowInfo().continueAsNewSuggested)) {
      log.info('Continuing as new', { resource: input.resource, scopeId: input.scopeId, pages: totals.pages });
      await continueAsNew<typeof syncResourceWorkflow>({ ...input, carried: { cursor, totals } });
    }
  }

  progress.status = 'done';
  log.info('Resource synced', { resource: input.resource, scopeId: input.scopeId, pages: totals.pages, items: totals.items });
  return totals;
}

function fetchPage(
  pipefy: ReturnType<typeof pipefyActivities>,
  input: SyncResourceInput,
  cursor: ResourceCursor,
  loadId: string,
): Promise<FetchPageResult> {
  if (input.resource === 'cards') {
    return pipefy.fetchCardsPage({
      connection: input.connection,
      pipeId: input.scopeId,
      loadId,
      after: cursor.after,
      updatedFrom: cursor.updatedFrom,
      updatedTo: cursor.updatedTo,
    });
  }
  return pipefy.fetchTableRecordsPage({ connection: input.connection, tableId: input.scopeId, loadId, after: cursor.after });
}

/**
 * Decides where a fresh run starts:
 * - a backfill reads its own window;
 * - an incremental run resumes an unfinished window from its stored page
 *   cursor, or reads from the stored watermark minus the look-back;
 * - a full run, or a first run, reads everything up to now.
 * Card windows end at the run's start time, so cards changed during the
 * sync are left to the next one. Database records have no `updated_at`
 * filter in the API, so their runs always read every record.
 */
async function startingCursor(input: SyncResourceInput, storesState: boolean): Promise<ResourceCursor> {
  const now = new Date().toISOString();
  const fresh = (updatedFrom: string | null, watermark: string | null): ResourceCursor => ({
    updatedFrom,
    updatedTo: input.resource === 'cards' ? now : null,
    after: null,
    page: 0,
    complete: false,
    watermark,
  });

  if (input.backfill) {
    return { updatedFrom: input.backfill.from, updatedTo: input.backfill.to, after: null, page: 0, complete: false, watermark: null };
  }
  if (!storesState) return fresh(null, null);

  const stored = await destinationActivities().readSyncState({
    destination: input.destination,
    key: { connection: input.connection, resource: input.resource, scope: input.scopeId },
  });
  const previous = (stored?.cursor ?? null) as ResourceCursor | null;

  if (input.mode === 'full' || !previous) return fresh(null, previous?.watermark ?? null);
  if (!previous.complete) return { ...previous };

  if (input.resource !== 'cards' || !previous.watermark) return fresh(null, previous.watermark);
  const from = new Date(Date.parse(previous.watermark) - input.lookbackMinutes * 60_000).toISOString();
  return fresh(from, previous.watermark);
}

function sumRows(rowsByTable: Record<string, number>): number {
  return Object.values(rowsByTable).reduce((sum, rows) => sum + rows, 0);
}
