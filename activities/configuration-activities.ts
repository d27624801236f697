import { type DestinationConfig, itemsPerLoadOf } from './destinations/config';
import { reportFailures } from './failures';

export interface ConfigurationActivityDependencies {
  /** Throws ConfigurationError when the connection is unknown or has no credentials. */
  checkConnection(name: string): void;
  /** Returns the destination's settings; throws ConfigurationError when it is unknown. */
  checkDestination(name: string): DestinationConfig;
}

export interface CheckSyncTargetsInput {
  connection: string;
  destination: string;
}

/** Destination settings that a sync workflow needs. */
export interface SyncTargets {
  /** The destination's configured batch size, in cards or records. */
  itemsPerLoad: number;
}

/**
 * Activities that check a sync's input against the worker's configuration
 * before any Pipefy request. They run on the main task queue, so a
 * connection name no worker serves fails at once instead of leaving its
 * fetches queued on a task queue that nobody polls.
 */
export function createConfigurationActivities(deps: ConfigurationActivityDependencies) {
  return {
    /**
     * Checks that the connection and the destination exist and the connection
     * has credentials, and returns the destination's batch size.
     *
     * @throws ConfigurationError (non-retryable) naming the value and the fix.
     */
    async checkSyncTargets(input: CheckSyncTargetsInput): Promise<SyncTargets> {
      return reportFailures(async () => {
        deps.checkConnection(input.connection);
        return { itemsPerLoad: itemsPerLoadOf(deps.checkDestination(input.destination)) };
      });
    },
  };
}

export type ConfigurationActivities = ReturnType<typeof createConfigurationActivities>;
