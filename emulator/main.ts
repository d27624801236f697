/**
 * Starts the emulator from the command line:
 * `npx tsx emulator/main.ts --port 4010 --cards-per-pipe 400 --budget 500 --window-seconds 30`.
 */
import { parseArgs } from 'node:util';
import { startEmulator } from './server';

const HELP = `Usage: npx tsx emulator/main.ts [options]

Starts a local Pipefy GraphQL API on 127.0.0.1 with a seeded organization.

Options:
  --port N               TCP port; 0 picks a free port (default 4010)
  --host ADDRESS         interface to bind (default 127.0.0.1)
  --seed N               seed of the generated organization (default 1)
  --pipes N              number of pipes (default 3)
  --cards-per-pipe N     cards per pipe (default 400)
  --tables N             number of databases (default 2)
  --records-per-table N  records per database (default 120)
  --members N            organization members (default 12)
  --token TEXT           accepted bearer token (default emulator-token)
  --budget N             requests per window per token; 0 turns throttling off (default 500)
  --window-seconds N     length of the throttling window in seconds (default 30)
  --block-seconds N      how long a throttled token stays blocked, in seconds (default 300)
  --client-id TEXT       service-account client id for POST /oauth/token (optional)
  --client-secret TEXT   service-account client secret for POST /oauth/token (optional)
  -h, --help             print this help
`;

function numberOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const text = values[name];
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`Invalid --${name} ${JSON.stringify(text)}: expected a number of 0 or more`);
  }
  return value;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      pipes: { type: 'string' },
      'cards-per-pipe': { type: 'string' },
      tables: { type: 'string' },
      'records-per-table': { type: 'string' },
      members: { type: 'string' },
      token: { type: 'string' },
      budget: { type: 'string' },
      'window-seconds': { type: 'string' },
      'block-seconds': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }

  const token = values.token ?? 'emulator-token';
  const emulator = await startEmulator({
    port: numberOption(values, 'port', 4010),
    host: values.host ?? '127.0.0.1',
    seed: {
      seed: numberOption(values, 'seed', 1),
      pipes: numberOption(values, 'pipes', 3),
      cardsPerPipe: numberOption(values, 'cards-per-pipe', 400),
      tables: numberOption(values, 'tables', 2),
      recordsPerTable: numberOption(values, 'records-per-table', 120),
      members: numberOption(values, 'members', 12),
    },
    tokens: [token],
    budget: numberOption(values, 'budget', 500),
    windowSeconds: numberOption(values, 'window-seconds', 30),
    blockSeconds: numberOption(values, 'block-seconds', 300),
    serviceAccounts: values['client-id'] && values['client-secret'] ? [{ clientId: values['client-id'], clientSecret: values['client-secret'] }] : [],
  });

  const organization = emulator.state.organization;
  process.stdout.write(
    `Pipefy emulator listening on ${emulator.url}\n` +
      `token: ${token}\n` +
      `organization: ${organization.organization.id}; pipes: ${organization.pipes.map((pipe) => pipe.id).join(', ')}; ` +
      `tables: ${organization.tables.map((table) => table.id).join(', ')}\n`,
  );

  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Emulator failed to start: ${(error as Error).message}\n`);
  process.exit(1);
});
