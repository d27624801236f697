import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { createConfigurationActivities } from '../activities/configuration-activities';
import { createDestinationActivities } from '../activities/destination-activities';
import { openDestination } from '../activities/destinations';
import { createPipefyActivities } from '../activities/pipefy-activities';
import { countPipefyRequest } from '../activities/metrics';
import { PipefyClient } from '../activities/pipefy/pipefy-client';
import { StagingStore } from '../activities/staging';
import { pipefyTaskQueue } from '../workflows/task-queues';
import { requireConnection, requireDestination, type WorkerConfig } from './config';

/**
 * Staged pages older than this belong to syncs that failed or were
 * terminated: a running sync loads its pages well within the load's retry
 * time of 1 hour.
 */
const STALE_STAGING_MS = 24 * 60 * 60 * 1000;
/** How often a running worker looks for stale staged pages. */
const STALE_STAGING_CHECK_MS = 60 * 60 * 1000;

export interface PipefySyncWorkers {
  workers: Worker[];
  /** Runs every worker until `shutdown` is called or one fails. */
  run(): Promise<void>;
  shutdown(): Promise<void>;
}

/**
 * Creates the workers of one process:
 * - one on the main task queue for workflows and warehouse loads;
 * - one per configured connection on that connection's Pipefy task queue,
 *   with `maxTaskQueueActivitiesPerSecond` set to the token's request
 *   budget. The Temporal server enforces that rate across every worker
 *   polling the queue, so more processes never exceed the budget.
 */
export async function createPipefySyncWorkers(config: WorkerConfig, connection: NativeConnection): Promise<PipefySyncWorkers> {
  const staging = new StagingStore(config.stagingDir);
  const clients = new Map<string, PipefyClient>();

  const clientFor = (name: string): PipefyClient => {
    let client = clients.get(name);
    if (!client) {
      const resolved = requireConnection(config, name);
      client = new PipefyClient({
        apiUrl: resolved.apiUrl,
        token: resolved.token,
        serviceAccount: resolved.serviceAccount,
        requestTimeoutSeconds: resolved.requestTimeoutSeconds,
        connection: name,
        onRequest: (operation, outcome) => countPipefyRequest(name, operation, outcome),
      });
      clients.set(name, client);
    }
    return client;
  };

  const destinationActivities = createDestinationActivities({
    destinationConfig: (name) => requireDestination(config, name),
    open: openDestination,
    staging,
  });
  const pipefyActivities = createPipefyActivities({ clientFor, staging });
  const configurationActivities = createConfigurationActivities({
    checkConnection: (name) => requireConnection(config, name),
    checkDestination: (name) => requireDestination(config, name),
  });

  const main = await Worker.create({
    connection,
    namespace: config.temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    // The project runs from TypeScript sources (tsx, vitest); the bundler compiles this file's imports.
    workflowsPath: path.join(__dirname, '..', 'workflows', 'index.ts'),
    activities: {
      loadStagedBatch: destinationActivities.loadStagedBatch,
      readSyncState: destinationActivities.readSyncState,
      markDeletedRows: destinationActivities.markDeletedRows,
      ...configurationActivities,
    },
  });

  const fetchers = await Promise.all(
    Object.entries(config.connections).map(([name, settings]) =>
      Worker.create({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: pipefyTaskQueue(config.temporal.taskQueue, name),
        activities: pipefyActivities,
        maxTaskQueueActivitiesPerSecond: settings.requestsPerSecond,
        maxConcurrentActivityTaskExecutions: 20,
      }),
    ),
  );

  const workers = [main, ...fetchers];
  const clearStaleStaging = () => {
    staging.removeOlderThan(STALE_STAGING_MS).then(
      (removed) => {
        if (removed > 0) console.log(`pipefy-sync staging: removed ${removed} staged files older than 24 hours from ${config.stagingDir}`);
      },
      (error: unknown) => console.error(`pipefy-sync staging: failed to clear old staged files in ${config.stagingDir}: ${String(error)}`),
    );
  };

  return {
    workers,
    async run() {
      clearStaleStaging();
      const timer = setInterval(clearStaleStaging, STALE_STAGING_CHECK_MS);
      timer.unref();
      try {
        await Promise.all(workers.map((worker) => worker.run()));
      } finally {
        clearInterval(timer);
        await destinationActivities.closeDestinations();
      }
    },
    async shutdown() {
      for (const worker of workers) {
        if (worker.getState() === 'RUNNING') worker.shutdown();
      }
    },
  };
}
