import { reportFailures } from './failures';

export interface ConfigurationActivityDependencies {
  /** Throws ConfigurationError when the connection is unknown or has no credentials. */
  checkConnection(name: string): void;
  /** Throws ConfigurationError when the destination is unknown. */
  checkDestination(name: string): void;
}

export interface CheckSyncTargetsInput {
  connection: string;
  destination: string;
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
     * Checks that the connection and the destination exist and the connection has credentials.
     *
     * @throws ConfigurationError (non-retryable) naming the value and the fix.
     */
    async checkSyncTargets(input: CheckSyncTargetsInput): Promise<void> {
      return reportFailures(async () => {
        deps.checkConnection(input.connection);
        deps.checkDestination(input.destination);
      });
    },
  };
}

export type ConfigurationActivities = ReturnType<typeof createConfigurationActivities>;
