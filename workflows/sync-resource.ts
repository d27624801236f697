import { continueAsNew, defineQuery, log, setHandler, workflowInfo } from '@temporalio/workflow';
import type { FetchPageResult } from '../activities/pipefy-activities';
import { destinationActivities, pipefyActivities } from './activity-proxies';
import type { ResourceName } from './inputs';
import { isActivityFailureOfType, type RateLimitWait, withRateLimitWaits } from './rate-limit';
import { addRows, sumRows } from './row-counts';

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
  /** When the last deletion scan of the scope finished; `null` before the first. */
  deletionScannedAt: string | null;
}

/** Position of a running deletion scan, carried across continue-as-new. */
export interface DeletionScanPosition {
  page: number;
  after: string | null;
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
  /** Hours between deletion scans; 0 scans every run. Full runs always scan. */
  deletionScanHours: number;
  /** Pages per workflow run before it continues as new. */
  pagesPerRun: number;
  /** Cards or records per load: pages are fetched until a group has this many; one page when unset. */
  itemsPerLoad?: number;
  /** State carried across continue-as-new. */
  carried?: { cursor: ResourceCursor; totals: ResourceTotals; scan?: DeletionScanPosition };
}

export interface ResourceTotals {
  pages: number;
  items: number;
  rowsByTable: Record<string, number>;
  rateLimitWaits: number;
  /** Requests sent by deletion scans. */
  scanPages: number;
  /** Rows newly marked deleted. */
  deleted: number;
}

export interface ResourceProgress extends ResourceTotals {
  resource: ResourceName;
  scopeId: string;
  status: 'starting' | 'fetching' | 'loading' | 'scanning_for_deletions' | 'waiting_for_rate_limit' | 'done';
  cursor: ResourceCursor | null;
  waitingUntil: string | null;
}

export const resourceProgressQuery = defineQuery<ResourceProgress>('resourceProgress');

/**
 * Copies one resource of one scope (the cards of a pipe, or the records of a
 * database): a durable loop that fetches pages in groups of `itemsPerLoad`
 * items and loads each group as one batch while the next group is fetched.
 * The cursor reaches the warehouse in the same transaction as the group
 * that moved it, so a new workflow resumes from the warehouse alone.
 * Continues as new every `pagesPerRun` pages, carrying its cursor and
 * counters. A page adds about 6 history events (12 when every page is its
 * own load), so the default of 400 stays far below Temporal's 51,200-event limit.
 */
export async function syncResourceWorkflow(input: SyncResourceInput): Promise<ResourceTotals> {
  const pipefy = pipefyActivities(input.connection);
  const warehouse = destinationActivities();
  const storesState = input.backfill === undefined;

  const totals: ResourceTotals = input.carried?.totals ?? {
    pages: 0,
    items: 0,
    rowsByTable: {},
    rateLimitWaits: 0,
    scanPages: 0,
    deleted: 0,
  };
  const progress: ResourceProgress = {
    ...totals,
    resource: input.resource,
    scopeId: input.scopeId,
    status: 'starting',
    cursor: input.carried?.cursor ?? null,
    waitingUntil: null,
  };
  setHandler(resourceProgressQuery, () => ({ ...progress, ...totals }));

  // The cursor stored in the warehouse, moved only by a committed load.
  const cursor = input.carried?.cursor ?? (await startingCursor(input, storesState));
  progress.cursor = cursor;
  const onWait = (wait: RateLimitWait | null) => {
    progress.status = wait ? 'waiting_for_rate_limit' : progress.status;
    progress.waitingUntil = wait?.until ?? null;
    if (wait) totals.rateLimitWaits += 1;
  };

  let pagesThisRun = 0;
  const continueIfLong = async (scan?: DeletionScanPosition) => {
    if (pagesThisRun < input.pagesPerRun && !workflowInfo().continueAsNewSuggested) return;
    log.info('Continuing as new', { resource: input.resource, scopeId: input.scopeId, pages: totals.pages });
    await continueAsNew<typeof syncResourceWorkflow>({ ...input, carried: { cursor, totals, scan } });
  };

  // Where the next fetch starts: ahead of `cursor` by the group being loaded.
  let fetchCursor: ResourceCursor = { ...cursor };
  const itemsPerLoad = input.itemsPerLoad ?? 1;

  const fetchGroup = async (): Promise<PageGroup> => {
    const group: PageGroup = { firstPage: fetchCursor.page, stagedNames: [], items: 0, rowsByTable: {}, end: fetchCursor };
    do {
      progress.status = 'fetching';
      const loadId = pageLoadId(input, fetchCursor.page);
      const from = fetchCursor;
      const page = await withRateLimitWaits(() => fetchPage(pipefy, input, from, loadId), onWait);
      group.stagedNames.push(page.stagedName);
      group.items += page.items;
      addRows(group.rowsByTable, page.rowsByTable);
      fetchCursor = {
        ...from,
        after: page.endCursor ?? from.after,
        page: from.page + 1,
        complete: !page.hasNextPage,
        watermark: page.hasNextPage ? from.watermark : (from.updatedTo ?? from.watermark),
      };
      pagesThisRun += 1;
    } while (!fetchCursor.complete && group.items < itemsPerLoad && pagesThisRun < input.pagesPerRun);
    group.end = fetchCursor;
    return group;
  };

  const loadGroup = async (group: PageGroup): Promise<LoadOutcome> => {
    try {
      await warehouse.loadStagedBatch({
        destination: input.destination,
        stagedNames: group.stagedNames,
        load: {
          loadId: pageLoadId(input, group.firstPage),
          syncId: input.syncId,
          resource: input.resource,
          scope: input.scopeId,
          page: group.firstPage,
          rowCount: sumRows(group.rowsByTable),
        },
        state: storesState ? { connection: input.connection, resource: input.resource, scope: input.scopeId, cursor: group.end } : undefined,
      });
    } catch (error) {
      // A staged file is gone (lost after a successful load, or cleared): fetch the group again.
      if (isActivityFailureOfType(error, 'StagedBatchMissing')) return { loaded: false };
      return { loaded: false, error };
    }
    Object.assign(cursor, group.end);
    totals.pages += group.stagedNames.length;
    totals.items += group.items;
    addRows(totals.rowsByTable, group.rowsByTable);
    return { loaded: true };
  };

  // Waits for the group being loaded. Returns false when its staged files
  // were gone: fetching then resumes from the warehouse's cursor.
  let loading: Promise<LoadOutcome> | null = null;
  const settleLoad = async (): Promise<boolean> => {
    if (!loading) return true;
    progress.status = 'loading';
    const outcome = await loading;
    loading = null;
    if (outcome.error !== undefined) throw outcome.error;
    if (!outcome.loaded) fetchCursor = { ...cursor };
    return outcome.loaded;
  };

  // Pages are fetched in groups of about `itemsPerLoad` items, and each group
  // loads while the next one is fetched. Only a committed load moves `cursor`.
  while (!input.carried?.scan && (!fetchCursor.complete || loading)) {
    const group = fetchCursor.complete ? null : await fetchGroup();
    if (!(await settleLoad()) || !group) continue;
    loading = loadGroup(group);
    const runIsLong = pagesThisRun >= input.pagesPerRun || workflowInfo().continueAsNewSuggested;
    if (!fetchCursor.complete && runIsLong && (await settleLoad())) await continueIfLong();
  }

  if (storesState && (input.carried?.scan || deletionScanDue(input, cursor))) {
    progress.status = 'scanning_for_deletions';
    const scan = input.carried?.scan ?? { page: 0, after: null };
    const scanLoadId = `${input.syncId}/${input.resource}/${input.scopeId}/deletion-scan`;

    for (;;) {
      const page = await withRateLimitWaits(
        () =>
          pipefy.fetchIdsPage({
            connection: input.connection,
            resource: input.resource,
            scopeId: input.scopeId,
            loadId: `${scanLoadId}/${scan.page}`,
            after: scan.after,
          }),
        onWait,
      );
      scan.page += 1;
      scan.after = page.endCursor ?? scan.after;
      totals.scanPages += 1;
      pagesThisRun += 1;
      if (!page.hasNextPage) break;
      await continueIfLong(scan);
    }

    const scannedAt = new Date().toISOString();
    try {
      totals.deleted += await warehouse.markDeletedRows({
        destination: input.destination,
        resource: input.resource,
        scopeId: input.scopeId,
        scanLoadId,
        pages: scan.page,
        deletedAt: scannedAt,
        load: { loadId: scanLoadId, syncId: input.syncId, resource: input.resource, scope: input.scopeId, page: scan.page, rowCount: 0 },
        state: {
          connection: input.connection,
          resource: input.resource,
          scope: input.scopeId,
          cursor: { ...cursor, deletionScannedAt: scannedAt },
        },
      });
      cursor.deletionScannedAt = scannedAt;
    } catch (error) {
      // A staged id page is gone: the scan starts over in a new run, with the loaded pages kept.
      if (!isActivityFailureOfType(error, 'StagedBatchMissing')) throw error;
      await continueAsNew<typeof syncResourceWorkflow>({ ...input, carried: { cursor, totals, scan: { page: 0, after: null } } });
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
  const fresh = (updatedFrom: string | null, watermark: string | null, deletionScannedAt: string | null): ResourceCursor => ({
    updatedFrom,
    updatedTo: input.resource === 'cards' ? now : null,
    after: null,
    page: 0,
    complete: false,
    watermark,
    deletionScannedAt,
  });

  if (input.backfill) {
    return {
      updatedFrom: input.backfill.from,
      updatedTo: input.backfill.to,
      after: null,
      page: 0,
      complete: false,
      watermark: null,
      deletionScannedAt: null,
    };
  }
  if (!storesState) return fresh(null, null, null);

  const stored = await destinationActivities().readSyncState({
    destination: input.destination,
    key: { connection: input.connection, resource: input.resource, scope: input.scopeId },
  });
  const previous = (stored?.cursor ?? null) as ResourceCursor | null;

  // A first run reads every item and the warehouse contains none of the scope yet,
  // so there is nothing a deletion scan could find: it counts as one.
  if (!previous) return fresh(null, null, now);

  const scannedAt = previous.deletionScannedAt ?? null;
  if (input.mode === 'full') return fresh(null, previous.watermark, scannedAt);
  if (!previous.complete) return { ...previous, deletionScannedAt: scannedAt };

  if (input.resource !== 'cards' || !previous.watermark) return fresh(null, previous.watermark, scannedAt);
  const from = new Date(Date.parse(previous.watermark) - input.lookbackMinutes * 60_000).toISOString();
  return fresh(from, previous.watermark, scannedAt);
}

/**
 * Whether this run ends with a deletion scan: when `deletionScanHours` have
 * passed since the last scan (0 scans every run). Backfills never scan.
 */
function deletionScanDue(input: SyncResourceInput, cursor: ResourceCursor): boolean {
  if (input.backfill) return false;
  if (input.deletionScanHours === 0 || !cursor.deletionScannedAt) return true;
  return Date.now() - Date.parse(cursor.deletionScannedAt) >= input.deletionScanHours * 3_600_000;
}

/** Pages fetched to be loaded as one batch. */
interface PageGroup {
  firstPage: number;
  stagedNames: string[];
  items: number;
  rowsByTable: Record<string, number>;
  /** Cursor after the group's last page. */
  end: ResourceCursor;
}

/** Outcome of a group's load; `error` is a failure the workflow rethrows. */
interface LoadOutcome {
  loaded: boolean;
  error?: unknown;
}

/** Load id of a page, and of a group by its first page: sync, resource, scope and page number. */
function pageLoadId(input: SyncResourceInput, page: number): string {
  return `${input.syncId}/${input.resource}/${input.scopeId}/${input.backfill ? 'backfill/' : ''}${page}`;
}
