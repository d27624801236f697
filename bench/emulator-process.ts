/**
 * Runs the Pipefy emulator in a process of its own, so that the benchmark's
 * worker does not share its CPU with the emulator's GraphQL execution.
 *
 * `node --import tsx bench/emulator-process.ts --pipes 10 --cards-per-pipe 1000 --budget 0`
 *
 * Prints one JSON line `{"url", "pipeIds", "tableIds"}` to stdout once the
 * emulator listens on 127.0.0.1, and stops on SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from '../emulator';

const NUMBER_OPTIONS = ['seed', 'pipes', 'cards-per-pipe', 'tables', 'records-per-table', 'budget', 'window-seconds', 'block-seconds'] as const;

type NumberOption = (typeof NUMBER_OPTIONS)[number];

/** Parses `--name N` options, falling back to the environment variable `BENCH_EMULATOR_<NAME>` (such as `BENCH_EMULATOR_CARDS_PER_PIPE`). */
function readNumbers(argv: string[], env: NodeJS.ProcessEnv): Partial<Record<NumberOption, number>> {
  const { values } = parseArgs({
    args: argv,
    options: Object.fromEntries(NUMBER_OPTIONS.map((name) => [name, { type: 'string' as const }])),
  });

  const numbers: Partial<Record<NumberOption, number>> = {};
  for (const name of NUMBER_OPTIONS) {
    const text = (values[name] as string | undefined) ?? env[`BENCH_EMULATOR_${name.replace(/-/g, '_').toUpperCase()}`];
    if (text === undefined) continue;

    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`Invalid --${name} ${JSON.stringify(text)}: expected a number of 0 or more.`);
    }
    numbers[name] = value;
  }
  return numbers;
}

async function main(): Promise<void> {
  const options = readNumbers(process.argv.slice(2), process.env);
  const emulator = await startEmulator({
    seed: {
      seed: options.seed,
      pipes: options.pipes,
      cardsPerPipe: options['cards-per-pipe'],
      tables: options.tables,
      recordsPerTable: options['records-per-table'],
    },
    budget: options.budget,
    windowSeconds: options['window-seconds'],
    blockSeconds: options['block-seconds'],
  });

  const organization = emulator.state.organization;
  const ready = {
    url: emulator.url,
    pipeIds: organization.pipes.map((pipe) => pipe.id),
    tableIds: organization.tables.map((table) => table.id),
  };
  process.stdout.write(`${JSON.stringify(ready)}\n`);

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Benchmark emulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
