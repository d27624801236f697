/**
 * Benchmark of full and incremental syncs against the emulator; see
 * `bench/REPORT.md` for what it measures and the latest results.
 *
 * npx tsx bench/run.ts [--sizes 10000,100000,500000] [--destinations duckdb,postgres] [--quick]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { describeMachine } from './machine';
import { type BenchResults, resultsFileName, writeReportSection } from './report';
import { type BenchDestination, runSize } from './size-run';

const HELP = `Usage: npx tsx bench/run.ts [options]

For each size, starts a Temporal dev server, the emulator and a worker as
separate processes on 127.0.0.1, and measures (a) a full sync at 500 requests
per 30 s, (b) an incremental sync of the unchanged organization, (c) a full
sync with the budget off, and (d) history events per page. Writes
bench/results/<date>-<host>.json and the measured section of bench/REPORT.md.

Options:
  --sizes LIST          cards per organization, comma-separated (default 10000,100000,500000)
  --destinations LIST   duckdb, postgres or both, comma-separated (default duckdb);
                        postgres loads into database "test" on 127.0.0.1:5432 as user postgres
  --parallelism N       pipes and databases synced at once (default: the workflow's, 4)
  --quick               the same as --sizes 10000
  -h, --help            print this help
`;

const DESTINATIONS: readonly BenchDestination[] = ['duckdb', 'postgres'];

interface RunOptions {
  sizes: number[];
  destinations: BenchDestination[];
  parallelism: number | undefined;
}

function parseOptions(argv: string[]): RunOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string' },
      destinations: { type: 'string' },
      parallelism: { type: 'string' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return undefined;

  const sizesText = values.quick ? '10000' : (values.sizes ?? '10000,100000,500000');
  const sizes = sizesText.split(',').map((text) => {
    const size = Number(text);
    if (!Number.isInteger(size) || size < 100) throw new UsageError(`Invalid size "${text}" in --sizes: expected a whole number of cards, 100 or more.`);
    return size;
  });

  const destinations = (values.destinations ?? 'duckdb').split(',').map((text) => {
    if (!DESTINATIONS.includes(text as BenchDestination)) {
      throw new UsageError(`Invalid destination "${text}" in --destinations: expected ${DESTINATIONS.join(' or ')}.`);
    }
    return text as BenchDestination;
  });

  const parallelism = values.parallelism === undefined ? undefined : Number(values.parallelism);
  if (parallelism !== undefined && (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > 32)) {
    throw new UsageError(`Invalid --parallelism "${values.parallelism}": expected a whole number from 1 to 32.`);
  }
  return { sizes, destinations, parallelism };
}

class UsageError extends Error {}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(HELP);
    return;
  }

  const resultsDir = path.join(__dirname, 'results');
  const logDir = path.join(resultsDir, 'logs');
  mkdirSync(logDir, { recursive: true });

  const results: BenchResults = {
    command: ['npx tsx bench/run.ts', ...process.argv.slice(2)].join(' '),
    startedAt: new Date().toISOString(),
    finishedAt: null,
    machine: describeMachine(),
    runs: [],
    failures: [],
  };
  const resultsPath = path.join(resultsDir, resultsFileName(results));
  const save = () => {
    writeFileSync(resultsPath, `${JSON.stringify(results, null, 2)}\n`);
    writeReportSection(path.join(__dirname, 'REPORT.md'), [results]);
  };

  for (const cards of options.sizes) {
    for (const destination of options.destinations) {
      console.log(`${new Date().toISOString()} bench: ${cards} cards into ${destination}: starting`);
      try {
        const run = await runSize({ cards, destination, parallelism: options.parallelism, logDir });
        results.runs.push(run);
        console.log(
          `${new Date().toISOString()} bench: ${cards} cards into ${destination}: ` +
            `full ${run.budgeted.wallSeconds.toFixed(1)} s for ${run.budgeted.result.requests} requests, ` +
            `budget off ${run.unthrottled.wallSeconds.toFixed(1)} s`,
        );
      } catch (error) {
        // One size failing (a server that would not start, a sync that failed) must not lose the others' results.
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`${new Date().toISOString()} bench: ${cards} cards into ${destination} failed: ${message}`);
        results.failures.push({ cards, destination, error: error instanceof Error ? error.message : String(error) });
      }
      save();
    }
  }

  results.finishedAt = new Date().toISOString();
  save();
  console.log(`bench: wrote ${path.relative(process.cwd(), resultsPath)} and bench/REPORT.md`);
  if (results.failures.length > 0) process.exitCode = 1;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${HELP}`);
    process.exit(2);
  }
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
