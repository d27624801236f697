import { NativeConnection, Runtime } from '@temporalio/worker';
import { PipefySyncError } from '../activities/errors';
import { loadWorkerConfig, validateConnections, validateDestinations } from './config';
import { createPipefySyncWorkers } from './create-workers';

/**
 * Worker process: `npx tsx worker/main.ts`. Reads the configuration (see
 * `worker/config.ts`), connects to Temporal at `TEMPORAL_ADDRESS` and serves
 * the sync workflows, the warehouse loads and one rate-limited Pipefy queue
 * per connection until SIGINT or SIGTERM.
 */
async function main(): Promise<void> {
  // Drivers must not probe cloud metadata hosts from a worker.
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
  process.env.METADATA_SERVER_DETECTION ??= 'none';

  const config = loadWorkerConfig();
  validateConnections(config, config.configuredConnections);
  validateDestinations(config);
  if (config.metricsAddress) {
    // Temporal's runtime metrics and the project's counters, at http://<address>/metrics.
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: config.metricsAddress } } } });
  }
  const connection = await NativeConnection.connect({ address: config.temporal.address });
  const workers = await createPipefySyncWorkers(config, connection);
  console.log(
    `pipefy-sync worker: Temporal ${config.temporal.address}, namespace ${config.temporal.namespace}, ` +
      `task queue ${config.temporal.taskQueue}, connections ${Object.keys(config.connections).join(', ')}, ` +
      `destinations ${Object.keys(config.destinations).join(', ')}, ` +
      `metrics ${config.metricsAddress ? `http://${config.metricsAddress}/metrics` : 'off'}`,
  );

  await workers.run();
  await connection.close();
}

main().catch((error: unknown) => {
  // A project error's message says what to fix; anything else needs its stack.
  let message = String(error);
  if (error instanceof PipefySyncError) message = error.message;
  else if (error instanceof Error) message = error.stack ?? error.message;
  console.error(`pipefy-sync worker failed: ${message}`);
  process.exit(1);
});
