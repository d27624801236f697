import {
  ApplicationFailure,
  defineQuery,
  executeChild,
  log,
  ParentClosePolicy,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import { configurationActivities, destinationActivities, pipefyActivities } from './activity-proxies';
import { describeIssues, type ParsedSyncInput, type ResourceName, type SyncInput, syncInputSchema } from './inputs';
import { runWithParallelism } from './parallel';
import { addRows, sumRows } from './row-counts';
import { CONNECTION_ATTRIBUTE, syncSearchAttributes } from './search-attributes';
import type { RateLimitWait } from './rate-limit';
import { withRateLimitWaits } from './rate-limit';
import { type ResourceTotals, syncResourceWorkflow } from './sync-resource';

export interface SyncScopeResult extends ResourceTotals {
  resource: ResourceName;
  scopeId: string;
}

export interface SyncResult {
  syncId: string;
  connection: string;
  destination: string;
  mode: 'incremental' | 'full';
  pipes: number;
  tables: number;
  /** Pipes the token may not read, left out of the sync. */
  skippedPipeIds: string[];
  /** Pipefy requests: planning plus one per page, deletion-scan pages included. */
  requests: number;
  pages: number;
  /** Rows newly marked deleted by deletion scans. */
  deleted: number;
  rowsByTable: Record<string, number>;
  scopes: SyncScopeResult[];
  startedAt: string;
  finishedAt: string;
}

export interface SyncProgress {
  status: 'planning' | 'loading_metadata' | 'syncing' | 'waiting_for_rate_limit' | 'done';
  scopesTotal: number;
  scopesDone: number;
  running: string[];
  pages: number;
  rowsByTable: Record<string, number>;
  waitingUntil: string | null;
}

export const syncProgressQuery = defineQuery<SyncProgress>('syncProgress');

/**
 * Syncs a Pipefy organization into a warehouse: plans the work (what the
 * token can see, checked against the requested ids), loads the metadata
 * tables, then runs one `syncResourceWorkflow` child per pipe and per
 * database, `parallelism` at a time.
 *
 * The input is plain JSON with defaults (`{}` works); an invalid input fails
 * the workflow at once, without retries, naming the field and the fix.
 */
export async function syncPipefyWorkflow(rawInput: SyncInput = {}): Promise<SyncResult> {
  const input = parseInput(rawInput);
  const syncId = workflowInfo().workflowId;
  const startedAt = new Date().toISOString();
  const pipefy = pipefyActivities(input.connection);
  const warehouse = destinationActivities();

  const progress: SyncProgress = {
    status: 'planning',
    scopesTotal: 0,
    scopesDone: 0,
    running: [],
    pages: 0,
    rowsByTable: {},
    waitingUntil: null,
  };
  setHandler(syncProgressQuery, () => progress);
  const onWait = (wait: RateLimitWait | null) => {
    progress.status = wait ? 'waiting_for_rate_limit' : 'planning';
    progress.waitingUntil = wait?.until ?? null;
  };

  const targets = await configurationActivities().checkSyncTargets({ connection: input.connection, destination: input.destination });

  const metadataLoadId = `${syncId}/metadata/org/0`;
  const plan = await withRateLimitWaits(
    () =>
      pipefy.planSync({
        connection: input.connection,
        loadId: metadataLoadId,
        pipeIds: input.pipeIds,
        tableIds: input.tableIds,
        includeTables: input.resources.includes('table_records'),
      }),
    onWait,
  );

  progress.status = 'loading_metadata';
  const metadataRows = sumRows(plan.rowsByTable);
  await warehouse.loadStagedBatch({
    destination: input.destination,
    stagedNames: [plan.stagedName],
    load: { loadId: metadataLoadId, syncId, resource: 'metadata', scope: 'org', page: 0, rowCount: metadataRows },
  });
  addRows(progress.rowsByTable, plan.rowsByTable);

  const scopes: { resource: ResourceName; scopeId: string }[] = [];
  if (input.resources.includes('cards')) scopes.push(...plan.pipes.map((pipe) => ({ resource: 'cards' as const, scopeId: pipe.id })));
  if (input.resources.includes('table_records')) {
    scopes.push(...plan.tables.map((table) => ({ resource: 'table_records' as const, scopeId: table.id })));
  }

  progress.status = 'syncing';
  progress.scopesTotal = scopes.length;
  const withSearchAttributes = workflowInfo().typedSearchAttributes.get(CONNECTION_ATTRIBUTE) !== undefined;
  const results = await runWithParallelism(scopes, input.parallelism, async (scope) => {
    const label = `${scope.resource}:${scope.scopeId}`;
    progress.running.push(label);
    const totals = await executeChild(syncResourceWorkflow, {
      workflowId: `${syncId}.${scope.resource}.${scope.scopeId}`,
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      memo: { connection: input.connection, resource: scope.resource, scope: scope.scopeId },
      typedSearchAttributes: withSearchAttributes ? syncSearchAttributes(input.connection, input.destination, scope.resource) : undefined,
      args: [
        {
          syncId,
          connection: input.connection,
          destination: input.destination,
          resource: scope.resource,
          scopeId: scope.scopeId,
          mode: input.mode,
          lookbackMinutes: input.lookbackMinutes,
          deletionScanHours: input.deletionScanHours,
          pagesPerRun: input.pagesPerRun,
          itemsPerLoad: input.itemsPerLoad ?? targets.itemsPerLoad,
        },
      ],
    });

    progress.running = progress.running.filter((running) => running !== label);
    progress.scopesDone += 1;
    progress.pages += totals.pages;
    addRows(progress.rowsByTable, totals.rowsByTable);
    return { ...scope, ...totals };
  });

  progress.status = 'done';
  const pages = results.reduce((sum, result) => sum + result.pages, 0);
  const scanPages = results.reduce((sum, result) => sum + result.scanPages, 0);
  const result: SyncResult = {
    syncId,
    connection: input.connection,
    destination: input.destination,
    mode: input.mode,
    pipes: plan.pipes.length,
    tables: plan.tables.length,
    skippedPipeIds: plan.skippedPipeIds,
    requests: plan.requests + pages + scanPages,
    pages,
    deleted: results.reduce((sum, result) => sum + result.deleted, 0),
    rowsByTable: progress.rowsByTable,
    scopes: results,
    startedAt,
    finishedAt: new Date().toISOString(),
  };
  log.info('Sync finished', { syncId, pipes: result.pipes, tables: result.tables, requests: result.requests, pages });
  return result;
}

function parseInput(rawInput: SyncInput): ParsedSyncInput {
  const parsed = syncInputSchema.safeParse(rawInput ?? {});
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.nonRetryable(
    `Invalid syncPipefyWorkflow input: ${describeIssues(parsed.error, Object.keys(syncInputSchema.shape))}. ` +
      'Example of a valid input: {"pipeIds": ["301345588"], "mode": "incremental"}.',
    'InvalidWorkflowInput',
  );
}
