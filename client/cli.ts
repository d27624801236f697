import { Command, InvalidArgumentError, Option } from 'commander';
import { openDestination } from '../activities/destinations';
import { loadWorkerConfig, requireDestination } from '../worker/config';
import type { SyncInput } from '../workflows/inputs';
import { runDemo } from './demo';
import { collectShowReport, formatShowReport } from './show';
import { connectClient, listRunningSyncs, startSync } from './sync-client';

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
    .option('--workflow-id <id>', 'workflow id (default: pipefy-sync.<connection>.<destination>)')
    .option('--no-wait', 'return once the workflow has started')
    .option('--json', 'print the result as JSON')
    .action(async (options) => {
      const config = loadWorkerConfig();
      const input: SyncInput = {
        connection: options.connection,
        destination: options.destination,
        pipeIds: options.pipe ?? [],
        tableIds: options.table ?? [],
        mode: options.mode,
      };
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
      console.error(`pipefy-sync: ${error.message ?? String(error)}`);
      process.exit(1);
    });
}
