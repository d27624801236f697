/** Every workflow the worker registers, and the queries they answer. */
export { syncPipefyWorkflow, syncProgressQuery } from './sync-pipefy';
export type { SyncProgress, SyncResult } from './sync-pipefy';
export { syncResourceWorkflow, resourceProgressQuery } from './sync-resource';
export type { ResourceProgress, ResourceTotals, SyncResourceInput } from './sync-resource';
export { backfillPipefyWorkflow } from './backfill-pipefy';
export type { BackfillResult } from './backfill-pipefy';
