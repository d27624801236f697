/** A local Pipefy GraphQL API for tests, demos and benchmarks. */
export { startEmulator, UNAUTHORIZED_BODY } from './server';
export type { EmulatorOptions, EmulatorStats, RunningEmulator, ServiceAccount } from './server';
export { generateOrganization } from './seed';
export { recordedOrganization } from './recorded-organization';
export type { RecordedOrganizationOptions } from './recorded-organization';
export { countSeed } from './count-seed';
export type { SeedCounts } from './count-seed';
export type * from './seed-types';
export { EmulatorState } from './state';
export { MAX_PAGE_SIZE, encodeKeysetCursor, decodeKeysetCursor } from './paging';
export { buildPipefySchema, buildEmulatorSchema } from './schema';
