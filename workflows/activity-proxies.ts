import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ConfigurationActivities } from '../activities/configuration-activities';
import type { DestinationActivities } from '../activities/destination-activities';
import type { PipefyActivities } from '../activities/pipefy-activities';
import { pipefyTaskQueue } from './task-queues';

/** Error types that no retry can fix; kept here because workflows may not import activity code. */
const NON_RETRYABLE = [
  'PipefyAuthError',
  'PipefyPermissionError',
  'PipefyNotFoundError',
  'PipefyQueryError',
  'PipefyRateLimitError',
  'ConfigurationError',
  'StagedBatchMissing',
];

/**
 * Every activity heartbeats every 5 seconds while it runs (see
 * `reportFailures`). Without a heartbeat timeout, an activity whose worker
 * was killed is retried only when its start-to-close timeout expires, which
 * stalls the sync for up to 5 minutes. With it, the retry starts within 30 s.
 */
const HEARTBEAT_TIMEOUT = '30 seconds';

/**
 * Pipefy page fetches run on the connection's own task queue, whose
 * server-side rate limit is the token's request budget. One request takes
 * well under a minute; 2 minutes covers a slow response plus staging. Retries
 * back off from 2 s to 1 min over 10 attempts (about 5 minutes in total), the
 * time Pipefy or a proxy usually needs to recover; longer outages fail the
 * child workflow, and the next run resumes from the stored cursor.
 */
export function pipefyActivities(connection: string) {
  return proxyActivities<PipefyActivities>({
    taskQueue: pipefyTaskQueue(workflowInfo().taskQueue, connection),
    startToCloseTimeout: '2 minutes',
    scheduleToCloseTimeout: '30 minutes',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: '2 seconds',
      backoffCoefficient: 2,
      maximumInterval: '1 minute',
      maximumAttempts: 10,
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
}

/**
 * Warehouse loads run on the workflow's task queue. A batch of 50 cards loads
 * in seconds; 5 minutes leaves room for a busy warehouse. A warehouse that is
 * down is retried for up to an hour with backoff capped at 2 minutes, so a
 * restart or a maintenance window does not fail the sync.
 */
export function destinationActivities() {
  return proxyActivities<DestinationActivities>({
    startToCloseTimeout: '5 minutes',
    scheduleToCloseTimeout: '1 hour',
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: {
      initialInterval: '1 second',
      backoffCoefficient: 2,
      maximumInterval: '2 minutes',
      nonRetryableErrorTypes: NON_RETRYABLE,
    },
  });
}

/**
 * The configuration check reads only the worker's settings: it takes
 * milliseconds, so 30 seconds and 3 attempts cover a worker restart.
 */
export function configurationActivities() {
  return proxyActivities<ConfigurationActivities>({
    startToCloseTimeout: '30 seconds',
    retry: { maximumAttempts: 3, nonRetryableErrorTypes: NON_RETRYABLE },
  });
}
