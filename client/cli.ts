import { isGrpcServiceError, ScheduleNotFoundError, ServiceError, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Command, InvalidArgumentError, Option } from 'commander';
import { openDestination } from '../activities/destinations';
import { loadWorkerConfig, requireDestination } from '../worker/config';
import type { SyncInput } from '../workflows/inputs';
import path from 'node:path';
import { startTemporalDevServer } from '../scripts/local-temporal';
import { runDemo } from './demo';
import { backfillPipefyWorkflow } from '../workflows';
import {
  backfillSchedule,
  createBackfillSchedule,
  createSyncSchedule,
  listSchedules,
  updateSchedule,
} from './schedules';
import { collectShowReport, formatShowReport } from './show';
import { connectClient, listRunningSyncs, startSync, type TemporalTarget } from './sync-client';

/**
 * `pipefy-sync` command line. Exit codes: 0 success, 1 the command failed
 * (the sync failed, Temporal unreachable), 2 invalid arguments.
 */
export function buildProgram(): Command {
  const program = new Command('pipefy-sync')
    .description('Copy Pipefy data into an analytics warehouse through Temporal workflows.')
    .showHelpAfterError()
    .exitOverride();

  program
    .command('sync')
    .description('Start a sync of the pipes and databases the connection can see.')
    .option('-c, --connection <name>', 'connection name in the worker configuration', 'default')
    .option('-d, --destination <name>', 'destination name in the worker configuration', 'duckdb')
    .option('-p, --pipe <id...>', 'pipe ids to sync (default: every pipe)')
    .option('-t, --table <id...>', 'database ids to sync (default: every database)')
    .addOption(new Option('-m, --mode <mode>', 'incremental or full').choices(['incremental', 'full']).default('incremental'))
    .option('--input <json>', 'other workflow input fields as a JSON object, such as \'{"itemsPerLoad": 100}\'; the options above take precedence', parseJsonObject)
    .option('--workflow-id <id>', 'workflow id (default: pipefy-sync.<connection>.<destination>)')
    .option('--no-wait', 'return once the workflow has started')
    .option('--json', 'print the result as JSON')
    .action(async (options, command: Command) => {
      const config = loadWorkerConfig();
      // An option left at its default does not replace the same field of --input.
      const takesOption = (name: string) => command.getOptionValueSource(name) === 'cli' || !(name in (options.input ?? {}));
      const input: SyncInput = { ...(options.input ?? {}) };
      if (takesOption('connection')) input.connection = options.connection;
      if (takesOption('destination')) input.destination = options.destination;
      if (takesOption('mode')) input.mode = options.mode;
      if (options.pipe) input.pipeIds = options.pipe;
      if (options.table) input.tableIds = options.table;
      const client = await connectClient(config.temporal);
      try {
        const handle = await startSync(client, config.temporal, input, { workflowId: options.workflowId });
        if (!options.wait) {
          print(options.json, { workflowId: handle.workflowId, runId: handle.firstExecutionRunId }, `Started ${handle.workflowId}`);
          return;
        }
        const result = await handle.result();
        print(options.json, result, `Sync ${result.syncId} done: ${result.pipes} pipes, ${result.tables} databases, ${result.requests} requests.`);
      } finally {
        await client.connection.close();
      }
    });

  program
    .command('backfill')
    .description('Re-read the cards updated in a date range, without moving the incremental cursor.')
    .requiredOption('--from <time>', 'start of the range, ISO 8601 (such as 2024-01-01T00:00:00Z)')
    .requiredOption('--to <time>', 'end of the range, ISO 8601')
    .option('-c, --connection <name>', 'connection name in the worker configuration', 'default')
    .option('-d, --destination <name>', 'destination name in the worker configuration', 'duckdb')
    .option('-p, --pipe <id...>', 'pipe ids (default: every pipe)')
    .option('--window-days <days>', 'days per window; one child workflow per pipe and window', positiveInteger, 7)
    .option('--workflow-id <id>', 'workflow id (default: pipefy-backfill.<connection>.<destination>.<from>)')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      await withClient(async (client, target) => {
        const input = {
          connection: options.connection,
          destination: options.destination,
          pipeIds: options.pipe ?? [],
          from: options.from,
          to: options.to,
          windowDays: options.windowDays,
        };
        const result = await client.workflow.execute(backfillPipefyWorkflow, {
          taskQueue: target.taskQueue,
          workflowId: options.workflowId ?? `pipefy-backfill.${options.connection}.${options.destination}.${options.from}`,
          args: [input],
        });
        print(options.json, result, `Backfill ${result.from}..${result.to}: ${result.cards} cards in ${result.windows} windows, ${result.requests} requests.`);
      });
    });

  const schedule = program.command('schedule').description('Manage Temporal Schedules that run syncs.');

  schedule
    .command('create')
    .description('Create a schedule; one per connection and destination by default.')
    .option('--every <interval>', 'interval such as 15m, 1h or 1d')
    .option('--cron <expression>', 'cron expression such as "0 * * * *" (UTC)')
    .option('-c, --connection <name>', 'connection name', 'default')
    .option('-d, --destination <name>', 'destination name', 'duckdb')
    .option('-p, --pipe <id...>', 'pipe ids (default: every pipe)')
    .option('--backfill-window-hours <hours>', 'make a backfill schedule: each run re-reads the hours before its time', positiveInteger)
    .option('--schedule-id <id>', 'schedule id (default: pipefy-sync.<connection>.<destination>)')
    .option('--paused', 'create it paused')
    .option('--json', 'print JSON')
    .action(async (options) => {
      await withClient(async (client, target) => {
        const base = { connection: options.connection, destination: options.destination, pipeIds: options.pipe ?? [] };
        const timing = { every: options.every, cron: options.cron, scheduleId: options.scheduleId, paused: options.paused };
        const handle = options.backfillWindowHours
          ? await createBackfillSchedule(client, target, { ...timing, input: { ...base, windowHours: options.backfillWindowHours } })
          : await createSyncSchedule(client, target, { ...timing, input: base });
        print(options.json, { scheduleId: handle.scheduleId }, `Created schedule ${handle.scheduleId}`);
      });
    });

  schedule
    .command('update <scheduleId>')
    .description('Change when a schedule runs.')
    .option('--every <interval>', 'interval such as 15m')
    .option('--cron <expression>', 'cron expression (UTC)')
    .action(async (scheduleId: string, options) => {
      await withClient(async (client) => {
        await updateSchedule(client, scheduleId, { every: options.every, cron: options.cron });
        console.log(`Updated schedule ${scheduleId}`);
      });
    });

  for (const [name, description] of [
    ['pause', 'Pause a schedule.'],
    ['resume', 'Resume a paused schedule.'],
    ['trigger', 'Run a schedule\'s sync now.'],
    ['delete', 'Delete a schedule (running syncs go on).'],
  ] as const) {
    schedule
      .command(`${name} <scheduleId>`)
      .description(description)
      .action(async (scheduleId: string) => {
        await withClient(async (client) => {
          const handle = client.schedule.getHandle(scheduleId);
          try {
            if (name === 'pause') await handle.pause('Paused from the pipefy-sync CLI');
            if (name === 'resume') await handle.unpause('Resumed from the pipefy-sync CLI');
            if (name === 'trigger') await handle.trigger();
            if (name === 'delete') await handle.delete();
          } catch (error) {
            // A deleted schedule lingers for a while as a closed workflow, and Temporal reports that instead of "not found".
            const cause = error instanceof ServiceError ? error.cause : error;
            if (isGrpcServiceError(cause) && /already completed/i.test(cause.details)) {
              throw new ScheduleNotFoundError(`Schedule ${scheduleId} was deleted`, scheduleId);
            }
            throw error;
          }
          console.log(`${name}: ${scheduleId}`);
        });
      });
  }

  schedule
    .command('backfill <scheduleId>')
    .description('Run the schedule for every scheduled time between --from and --to.')
    .requiredOption('--from <time>', 'start, ISO 8601')
    .requiredOption('--to <time>', 'end, ISO 8601')
    .action(async (scheduleId: string, options) => {
      await withClient(async (client) => {
        await backfillSchedule(client, scheduleId, parseTime(options.from), parseTime(options.to));
        console.log(`Backfilling ${scheduleId} from ${options.from} to ${options.to}`);
      });
    });

  schedule
    .command('list')
    .description('List schedules with their state and next runs.')
    .option('--json', 'print JSON')
    .action(async (options) => {
      await withClient(async (client) => {
        const schedules = await listSchedules(client);
        const lines = schedules.map(
          (entry) =>
            `${entry.scheduleId}  ${entry.paused ? 'paused' : 'active'}  ${entry.workflowType ?? ''}  next: ${entry.nextRuns.map((time) => time.toISOString()).join(', ') || '-'}`,
        );
        print(options.json, schedules, lines.join('\n') || 'No schedules.');
      });
    });

  program
    .command('status')
    .description('Show running syncs and their progress.')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const config = loadWorkerConfig();
      const client = await connectClient(config.temporal);
      try {
        const running = await listRunningSyncs(client);
        const lines = running.map(({ workflowId, progress }) => {
          if (!progress) return `${workflowId}: starting`;
          if (progress.scopesTotal === 0) return `${workflowId}: ${progress.status}`;
          const bar = progressBar(progress.scopesDone, progress.scopesTotal);
          const rows = Object.values(progress.rowsByTable).reduce((sum, count) => sum + count, 0);
          const wait = progress.waitingUntil ? `, throttled until ${progress.waitingUntil}` : '';
          return `${workflowId}: ${bar} ${progress.scopesDone}/${progress.scopesTotal} scopes, ${progress.pages} pages, ${rows} rows, ${progress.status}${wait}`;
        });
        print(options.json, running, lines.length > 0 ? lines.join('\n') : 'No sync is running.');
      } finally {
        await client.connection.close();
      }
    });

  program
    .command('show')
    .description('Show the tables, row counts, cursors and latest loads of a destination.')
    .option('-d, --destination <name>', 'destination name in the worker configuration', 'duckdb')
    .option('--json', 'print JSON')
    .action(async (options) => {
      const config = loadWorkerConfig();
      const destination = await openDestination(requireDestination(config, options.destination));
      try {
        const report = await collectShowReport(destination);
        print(options.json, report, formatShowReport(report));
      } finally {
        await destination.close();
      }
    });

  program
    .command('dev-server')
    .description('Run a local Temporal dev server with the Web UI until Ctrl-C, keeping workflows in a database file.')
    .option('--port <port>', 'gRPC port (TEMPORAL_ADDRESS is 127.0.0.1:<port>)', positiveInteger, 7233)
    .option('--ui-port <port>', 'Web UI port', positiveInteger, 8233)
    .option('--db-file <path>', 'SQLite file that keeps workflows across restarts', 'data/temporal/dev.db')
    .action(async (options) => {
      const server = await startTemporalDevServer({ port: options.port, uiPort: options.uiPort, dbFile: path.resolve(options.dbFile) });
      console.log(`Temporal ${server.address}, Web UI ${server.uiUrl} (press Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await server.stop();
    });

  program
    .command('demo')
    .description('Sync the emulator\'s organization into DuckDB through a local Temporal server with the Web UI.')
    .option('--cards-per-pipe <n>', 'cards per emulated pipe', positiveInteger, 400)
    .option('--ui-port <port>', 'Temporal Web UI port', positiveInteger, 8233)
    .option('--exit', 'stop the servers after the sync instead of keeping the Web UI up')
    .action(async (options) => {
      await runDemo({ cardsPerPipe: options.cardsPerPipe, uiPort: options.uiPort, keepRunning: !options.exit });
    });

  return program;
}

async function withClient(work: (client: Awaited<ReturnType<typeof connectClient>>, target: TemporalTarget) => Promise<void>): Promise<void> {
  const config = loadWorkerConfig();
  const client = await connectClient(config.temporal);
  try {
    await work(client, config.temporal);
  } finally {
    await client.connection.close();
  }
}

function parseTime(value: string): Date {
  const millis = Date.parse(value);
  if (!Number.isFinite(millis)) throw new InvalidArgumentError(`"${value}" is not an ISO 8601 time such as 2024-01-01T00:00:00Z.`);
  return new Date(millis);
}

/**
 * Returns the message that names what to fix: for a failed workflow, the
 * innermost cause (the activity's or the input check's own message), not
 * Temporal's generic "Workflow execution failed".
 */
export function describeFailure(error: unknown): { message: string; invalidInput: boolean } {
  if (error instanceof ScheduleNotFoundError) {
    return { message: `Schedule ${error.scheduleId} not found; list schedules with "schedule list".`, invalidInput: true };
  }

  let innermost: unknown = error;
  let invalidInput = false;
  while (innermost instanceof Error && innermost.cause instanceof Error) {
    innermost = innermost.cause;
    if (innermost instanceof ApplicationFailure && innermost.type === 'InvalidWorkflowInput') invalidInput = true;
  }
  const message = innermost instanceof Error ? innermost.message : String(innermost);
  if (error instanceof WorkflowFailedError) return { message: `sync failed: ${message}`, invalidInput };
  return { message, invalidInput };
}

function parseJsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new InvalidArgumentError(`not valid JSON (${(error as Error).message}); pass an object such as '{"itemsPerLoad": 100}'.`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidArgumentError('must be a JSON object such as \'{"itemsPerLoad": 100}\'.');
  }
  return parsed as Record<string, unknown>;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0) throw new InvalidArgumentError('must be a positive whole number.');
  return parsed;
}

function progressBar(done: number, total: number, width = 20): string {
  const filled = total === 0 ? width : Math.round((done / total) * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function print(json: boolean | undefined, value: unknown, text: string): void {
  console.log(json ? JSON.stringify(value, null, 2) : text);
}

if (require.main === module) {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION ??= 'true';
  process.env.METADATA_SERVER_DETECTION ??= 'none';

  buildProgram()
    .parseAsync(process.argv)
    .catch((error: { code?: string; exitCode?: number; message?: string }) => {
      if (error.code?.startsWith('commander.')) process.exit(error.exitCode === 0 ? 0 : 2);
      const { message, invalidInput } = describeFailure(error);
      console.error(`pipefy-sync: ${message}`);
      process.exit(invalidInput ? 2 : 1);
    });
}
