/** Task queue that workflows and warehouse loads use unless configured otherwise. */
export const DEFAULT_TASK_QUEUE = 'pipefy-sync';

/**
 * Task queue of one connection's Pipefy fetches. Every worker that serves it
 * sets the same server-enforced activity rate, so all fetches with that
 * connection's token share one request budget across workers.
 */
export function pipefyTaskQueue(baseTaskQueue: string, connection: string): string {
  return `${baseTaskQueue}.pipefy.${connection}`;
}
