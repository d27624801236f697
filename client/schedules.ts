import {
  type Client,
  type ScheduleDescription,
  type ScheduleHandle,
  ScheduleOverlapPolicy,
  type ScheduleSpec,
} from '@temporalio/client';
import type { BackfillInput, SyncInput } from '../workflows/inputs';
import { backfillPipefyWorkflow, syncPipefyWorkflow } from '../workflows';
import type { TemporalTarget } from './sync-client';

/** When a schedule runs: an interval such as `15m` or `1h`, or a cron expression. */
export interface ScheduleTiming {
  every?: string;
  cron?: string;
}

export interface CreateScheduleOptions extends ScheduleTiming {
  /** Default: `pipefy-sync.<connection>.<destination>`, one schedule per connection and destination. */
  scheduleId?: string;
  input: SyncInput;
  paused?: boolean;
  note?: string;
}

export interface CreateBackfillScheduleOptions extends ScheduleTiming {
  scheduleId?: string;
  /** Each run reads the cards updated in the `windowHours` before its scheduled time. */
  input: BackfillInput & { windowHours: number };
  paused?: boolean;
}

/**
 * Overlap policy of every schedule: SKIP. A sync still running when the
 * next one is due makes that one skipped, never queued or run in parallel:
 * two syncs of the same data would only compete for the token's budget, and
 * the next incremental run reads whatever the skipped one would have.
 */
const OVERLAP = ScheduleOverlapPolicy.SKIP;

/**
 * Catch-up window: after the scheduler was down (Temporal outage), runs
 * missed within the last 10 minutes start at once; older ones are dropped,
 * since one incremental run catches up on all of them.
 */
const CATCHUP_WINDOW = '10 minutes';

export function defaultScheduleId(input: { connection?: string; destination?: string }): string {
  return `pipefy-sync.${input.connection ?? 'default'}.${input.destination ?? 'duckdb'}`;
}

function specOf(timing: ScheduleTiming): ScheduleSpec {
  if (timing.cron) return { cronExpressions: [timing.cron] };
  if (timing.every) return { intervals: [{ every: timing.every as `${number}m` }] };
  throw new Error('A schedule needs --every (such as 15m) or --cron (such as "0 * * * *").');
}

/** Creates the sync schedule of a connection and destination. */
export async function createSyncSchedule(client: Client, target: TemporalTarget, options: CreateScheduleOptions): Promise<ScheduleHandle> {
  const scheduleId = options.scheduleId ?? defaultScheduleId(options.input);
  return client.schedule.create({
    scheduleId,
    spec: specOf(options),
    action: {
      type: 'startWorkflow',
      workflowType: syncPipefyWorkflow,
      args: [options.input],
      taskQueue: target.taskQueue,
      workflowId: scheduleId,
      memo: { connection: options.input.connection ?? 'default', destination: options.input.destination ?? 'duckdb' },
    },
    policies: { overlap: OVERLAP, catchupWindow: CATCHUP_WINDOW },
    state: { paused: options.paused ?? false, note: options.note },
  });
}

/**
 * Creates a schedule whose runs backfill the hours before their scheduled
 * time. Created paused by default: use it with {@link backfillSchedule} to
 * re-read a past range, one run per scheduled time in it.
 */
export async function createBackfillSchedule(
  client: Client,
  target: TemporalTarget,
  options: CreateBackfillScheduleOptions,
): Promise<ScheduleHandle> {
  const scheduleId = options.scheduleId ?? `${defaultScheduleId(options.input)}.backfill`;
  return client.schedule.create({
    scheduleId,
    spec: specOf(options),
    action: {
      type: 'startWorkflow',
      workflowType: backfillPipefyWorkflow,
      args: [options.input],
      taskQueue: target.taskQueue,
      workflowId: scheduleId,
    },
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ALL, catchupWindow: CATCHUP_WINDOW },
    state: { paused: options.paused ?? true, note: 'Backfill schedule: runs only when backfilled or triggered.' },
  });
}

/** Changes a schedule's timing or its sync input. */
export async function updateSchedule(client: Client, scheduleId: string, change: ScheduleTiming & { input?: SyncInput }): Promise<void> {
  await client.schedule.getHandle(scheduleId).update((previous) => {
    const action = previous.action;
    return {
      ...previous,
      spec: change.every || change.cron ? specOf(change) : previous.spec,
      action: change.input && action.type === 'startWorkflow' ? { ...action, args: [change.input] } : action,
    };
  });
}

/**
 * Runs the schedule's action for every scheduled time between `from` and
 * `to`, all of them even if they overlap (each backfill run reads its own
 * window, so they do not compete for the same rows).
 */
export async function backfillSchedule(client: Client, scheduleId: string, from: Date, to: Date): Promise<void> {
  await client.schedule.getHandle(scheduleId).backfill({ start: from, end: to, overlap: ScheduleOverlapPolicy.ALLOW_ALL });
}

export interface ScheduleSummary {
  scheduleId: string;
  paused: boolean;
  workflowType: string | undefined;
  nextRuns: Date[];
  recentRuns: { scheduledAt: Date; workflowId: string }[];
}

/** Lists every schedule of the namespace with its state and next runs. */
export async function listSchedules(client: Client): Promise<ScheduleSummary[]> {
  const summaries: ScheduleSummary[] = [];
  for await (const schedule of client.schedule.list()) {
    const description: ScheduleDescription = await client.schedule.getHandle(schedule.scheduleId).describe();
    summaries.push({
      scheduleId: schedule.scheduleId,
      paused: description.state.paused,
      workflowType: description.action.type === 'startWorkflow' ? description.action.workflowType : undefined,
      nextRuns: description.info.nextActionTimes.slice(0, 3),
      recentRuns: description.info.recentActions.map((action) => ({
        scheduledAt: action.scheduledAt,
        workflowId: action.action.workflow.workflowId,
      })),
    });
  }
  return summaries;
}
