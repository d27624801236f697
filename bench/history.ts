import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

/** Time an activity type spent waiting and running, summed over the histories read. */
export interface ActivityTiming {
  count: number;
  /** Mean time from scheduling to a worker starting it, which includes waiting for the task queue's rate limit. */
  meanScheduleToStartMs: number;
  /** Mean time from start to completion of the last attempt. */
  meanStartToCloseMs: number;
  /**
   * Time during which at least one activity of this type ran, across all
   * children. Near the sync's wall time, this activity is the bottleneck.
   */
  busyMs: number;
}

/** History figures of one sync's child workflows (every run, continued-as-new ones included). */
export interface ChildHistoryFigures {
  /** Workflow runs read: one per child plus one per continue-as-new. */
  runs: number;
  events: number;
  /** Events of the parent `syncPipefyWorkflow`. */
  parentEvents: number;
  activities: Record<string, ActivityTiming>;
  /** Mean time from a workflow task's scheduling to its completion. */
  meanWorkflowTaskMs: number;
  workflowTasks: number;
}

/**
 * Reads the history of every run of the sync's child workflows, found by
 * their id prefix `<syncId>.`, and of the sync itself, and sums events and
 * activity timings. Visibility in the dev server is eventually consistent,
 * so call it after the sync has finished.
 */
export async function readChildHistories(client: Client, syncId: string): Promise<ChildHistoryFigures> {
  const figures: ChildHistoryFigures = { runs: 0, events: 0, parentEvents: 0, activities: {}, meanWorkflowTaskMs: 0, workflowTasks: 0 };
  const activityTotals = new Map<string, { count: number; scheduleToStartMs: number; startToCloseMs: number; intervals: [number, number][] }>();
  let workflowTaskMs = 0;

  const executions = client.workflow.list({ query: `WorkflowType = 'syncResourceWorkflow'` });
  for await (const execution of executions) {
    if (!execution.workflowId.startsWith(`${syncId}.`)) continue;

    const history = await client.workflow.getHandle(execution.workflowId, execution.runId).fetchHistory();
    const events = history.events ?? [];
    figures.runs += 1;
    figures.events += events.length;

    const timings = eventTimings(events);
    for (const timing of timings.activities) {
      const total = activityTotals.get(timing.type) ?? { count: 0, scheduleToStartMs: 0, startToCloseMs: 0, intervals: [] };
      total.count += 1;
      total.scheduleToStartMs += timing.scheduleToStartMs;
      total.startToCloseMs += timing.startToCloseMs;
      total.intervals.push([timing.startedAt, timing.startedAt + timing.startToCloseMs]);
      activityTotals.set(timing.type, total);
    }
    workflowTaskMs += timings.workflowTaskMs.reduce((sum, ms) => sum + ms, 0);
    figures.workflowTasks += timings.workflowTaskMs.length;
  }

  const parent = await client.workflow.getHandle(syncId).fetchHistory();
  figures.parentEvents = parent.events?.length ?? 0;
  figures.meanWorkflowTaskMs = figures.workflowTasks > 0 ? workflowTaskMs / figures.workflowTasks : 0;
  for (const [type, total] of activityTotals) {
    figures.activities[type] = {
      count: total.count,
      meanScheduleToStartMs: total.scheduleToStartMs / total.count,
      meanStartToCloseMs: total.startToCloseMs / total.count,
      busyMs: unionLength(total.intervals),
    };
  }
  return figures;
}

/** Length of the union of `[start, end]` intervals. */
function unionLength(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((left, right) => left[0] - right[0]);
  let length = 0;
  let covered = -Infinity;
  for (const [start, end] of sorted) {
    if (end <= covered) continue;
    length += end - Math.max(start, covered);
    covered = end;
  }
  return length;
}

interface EventTimings {
  activities: { type: string; startedAt: number; scheduleToStartMs: number; startToCloseMs: number }[];
  workflowTaskMs: number[];
}

/** Pairs scheduled, started and closed events of activities and workflow tasks by their scheduled event id. */
function eventTimings(events: HistoryEvent[]): EventTimings {
  const scheduled = new Map<string, { type: string; at: number }>();
  const started = new Map<string, number>();
  const timings: EventTimings = { activities: [], workflowTaskMs: [] };

  for (const event of events) {
    const id = String(event.eventId);
    const at = eventMillis(event);

    if (event.activityTaskScheduledEventAttributes) {
      scheduled.set(id, { type: event.activityTaskScheduledEventAttributes.activityType?.name ?? 'unknown', at });
    } else if (event.activityTaskStartedEventAttributes) {
      started.set(String(event.activityTaskStartedEventAttributes.scheduledEventId), at);
    } else if (event.activityTaskCompletedEventAttributes) {
      const scheduledId = String(event.activityTaskCompletedEventAttributes.scheduledEventId);
      const schedule = scheduled.get(scheduledId);
      const start = started.get(scheduledId);
      if (schedule && start !== undefined) {
        timings.activities.push({ type: schedule.type, startedAt: start, scheduleToStartMs: start - schedule.at, startToCloseMs: at - start });
      }
    } else if (event.workflowTaskScheduledEventAttributes) {
      scheduled.set(id, { type: 'workflow task', at });
    } else if (event.workflowTaskCompletedEventAttributes) {
      const schedule = scheduled.get(String(event.workflowTaskCompletedEventAttributes.scheduledEventId));
      if (schedule) timings.workflowTaskMs.push(at - schedule.at);
    }
  }
  return timings;
}

function eventMillis(event: HistoryEvent): number {
  const seconds = Number(event.eventTime?.seconds?.toString() ?? 0);
  const nanos = event.eventTime?.nanos ?? 0;
  return seconds * 1000 + nanos / 1e6;
}
