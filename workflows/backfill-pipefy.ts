import { ApplicationFailure, executeChild, log, ParentClosePolicy, workflowInfo } from '@temporalio/workflow';
import { configurationActivities, destinationActivities, pipefyActivities } from './activity-proxies';
import { type BackfillInput, backfillInputSchema, describeIssues, type ParsedBackfillInput } from './inputs';
import { runWithParallelism } from './parallel';
import { sumRows } from './row-counts';
import { withRateLimitWaits } from './rate-limit';
import { syncResourceWorkflow } from './sync-resource';

export interface BackfillResult {
  syncId: string;
  from: string;
  to: string;
  windows: number;
  pipes: number;
  requests: number;
  cards: number;
}

/**
 * Re-reads the cards of a range of `updated_at` without touching the
 * incremental cursor: the range is split into windows of `windowDays`, and
 * one `syncResourceWorkflow` child per pipe and window reads it with an
 * explicit window, merging the cards by id. Started by hand with `from` and
 * `to`, or by a schedule with `windowHours` (a schedule backfill replays
 * past scheduled times, and each run reads the hours before its own).
 */
export async function backfillPipefyWorkflow(rawInput: BackfillInput): Promise<BackfillResult> {
  const input = parseBackfillInput(rawInput);
  const syncId = workflowInfo().workflowId;
  const { from, to } = backfillRange(input);
  const targets = await configurationActivities().checkSyncTargets({ connection: input.connection, destination: input.destination });

  const plan = await withRateLimitWaits(
    () =>
      pipefyActivities(input.connection).planSync({
        connection: input.connection,
        loadId: `${syncId}/metadata/org/0`,
        pipeIds: input.pipeIds,
        tableIds: [],
        includeTables: false,
      }),
    () => undefined,
  );
  const metadataRows = sumRows(plan.rowsByTable);
  await destinationActivities().loadStagedBatch({
    destination: input.destination,
    stagedNames: [plan.stagedName],
    load: { loadId: `${syncId}/metadata/org/0`, syncId, resource: 'metadata', scope: 'org', page: 0, rowCount: metadataRows },
  });

  const windows = splitRange(from, to, input.windowDays);
  const work = plan.pipes.flatMap((pipe) => windows.map((window, index) => ({ pipeId: pipe.id, window, index })));

  const totals = await runWithParallelism(work, input.parallelism, ({ pipeId, window, index }) =>
    executeChild(syncResourceWorkflow, {
      workflowId: `${syncId}.backfill.${pipeId}.${index}`,
      parentClosePolicy: ParentClosePolicy.TERMINATE,
      args: [
        {
          syncId: `${syncId}/window-${index}`,
          connection: input.connection,
          destination: input.destination,
          resource: 'cards',
          scopeId: pipeId,
          mode: 'full',
          lookbackMinutes: 0,
          backfill: window,
          deletionScanHours: 0,
          pagesPerRun: 400,
          itemsPerLoad: targets.itemsPerLoad,
        },
      ],
    }),
  );

  const result: BackfillResult = {
    syncId,
    from,
    to,
    windows: windows.length,
    pipes: plan.pipes.length,
    requests: plan.requests + totals.reduce((sum, total) => sum + total.pages, 0),
    cards: totals.reduce((sum, total) => sum + total.items, 0),
  };
  log.info('Backfill finished', { ...result });
  return result;
}

function parseBackfillInput(rawInput: BackfillInput): ParsedBackfillInput {
  const parsed = backfillInputSchema.safeParse(rawInput ?? {});
  if (parsed.success) return parsed.data;
  throw ApplicationFailure.nonRetryable(
    `Invalid backfillPipefyWorkflow input: ${describeIssues(parsed.error, Object.keys(backfillInputSchema.innerType().innerType().shape))}. ` +
      'Example of a valid input: {"from": "2024-01-01T00:00:00Z", "to": "2024-02-01T00:00:00Z"}.',
    'InvalidWorkflowInput',
  );
}

/**
 * The range to read: `from`..`to` when given; otherwise the `windowHours`
 * before the scheduled start time of a run started by a schedule.
 */
function backfillRange(input: ParsedBackfillInput): { from: string; to: string } {
  if (input.from && input.to) return { from: input.from, to: input.to };

  const scheduled = workflowInfo().searchAttributes?.TemporalScheduledStartTime?.[0];
  if (!scheduled) {
    throw ApplicationFailure.nonRetryable(
      'backfillPipefyWorkflow with "windowHours" must be started by a schedule; give "from" and "to" to start it by hand.',
      'InvalidWorkflowInput',
    );
  }
  const end = new Date(scheduled as string | Date);
  const start = new Date(end.getTime() - (input.windowHours as number) * 3_600_000);
  return { from: start.toISOString(), to: end.toISOString() };
}

/** Splits `from`..`to` into consecutive windows of at most `days` days; neighbours share their boundary instant. */
export function splitRange(from: string, to: string, days: number): { from: string; to: string }[] {
  const step = days * 86_400_000;
  const end = Date.parse(to);
  const windows: { from: string; to: string }[] = [];
  for (let start = Date.parse(from); start <= end; start += step) {
    windows.push({ from: new Date(start).toISOString(), to: new Date(Math.min(start + step, end)).toISOString() });
    if (start + step >= end) break;
  }
  return windows;
}
