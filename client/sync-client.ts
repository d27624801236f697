import { Client, Connection, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SyncInput } from '../workflows/inputs';
import { SEARCH_ATTRIBUTE_NAMES, syncSearchAttributes } from '../workflows/search-attributes';
import { type SyncProgress, type SyncResult, syncPipefyWorkflow, syncProgressQuery } from '../workflows';

export interface TemporalTarget {
  address: string;
  namespace: string;
  taskQueue: string;
}

/** Connects a Temporal client; close it with `client.connection.close()`. */
export async function connectClient(target: TemporalTarget): Promise<Client> {
  const connection = await Connection.connect({ address: target.address });
  return new Client({ connection, namespace: target.namespace });
}

/**
 * Workflow id of a sync: one per connection and destination by default, so
 * that two syncs of the same data cannot run at once (Temporal rejects a
 * second start while the first runs).
 */
export function defaultSyncWorkflowId(input: SyncInput): string {
  return `pipefy-sync.${input.connection ?? 'default'}.${input.destination ?? 'duckdb'}`;
}

export interface StartSyncOptions {
  workflowId?: string;
}

/**
 * Starts `syncPipefyWorkflow` and returns its handle.
 *
 * @throws Error naming the running workflow when a sync with the same id is running.
 */
export async function startSync(client: Client, target: TemporalTarget, input: SyncInput, options: StartSyncOptions = {}) {
  const workflowId = options.workflowId ?? defaultSyncWorkflowId(input);
  try {
    const connection = input.connection ?? 'default';
    const destination = input.destination ?? 'duckdb';
    return await client.workflow.start(syncPipefyWorkflow, {
      taskQueue: target.taskQueue,
      workflowId,
      args: [input],
      memo: { connection, destination },
      typedSearchAttributes: (await hasSearchAttributes(client, target.namespace))
        ? syncSearchAttributes(connection, destination)
        : undefined,
    });
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) {
      throw new Error(`A sync with workflow id ${workflowId} is already running; wait for it or pass another --workflow-id.`);
    }
    throw error;
  }
}

/**
 * Returns whether the namespace has the project's search attributes
 * registered. Syncs started without them still run, only without the UI filters.
 */
export async function hasSearchAttributes(client: Client, namespace: string): Promise<boolean> {
  try {
    const response = await client.connection.operatorService.listSearchAttributes({ namespace });
    const custom = Object.keys(response.customAttributes ?? {});
    return SEARCH_ATTRIBUTE_NAMES.every((name) => custom.includes(name));
  } catch {
    // Temporal Cloud API keys may not allow the operator service; start without them.
    return false;
  }
}

export interface RunningSync {
  workflowId: string;
  runId: string;
  startTime: Date;
  progress: SyncProgress | null;
}

/** Lists running syncs with their progress (`null` when a sync does not respond to the query yet). */
export async function listRunningSyncs(client: Client): Promise<RunningSync[]> {
  const running: RunningSync[] = [];
  const executions = client.workflow.list({ query: `WorkflowType = 'syncPipefyWorkflow' AND ExecutionStatus = 'Running'` });
  for await (const execution of executions) {
    const handle = client.workflow.getHandle(execution.workflowId, execution.runId);
    const progress = await handle.query(syncProgressQuery).catch(() => null);
    running.push({ workflowId: execution.workflowId, runId: execution.runId, startTime: execution.startTime, progress });
  }
  return running;
}

export type { SyncProgress, SyncResult };
