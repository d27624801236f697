import { createServer, type AddressInfo } from 'node:net';

import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

import type { BigqueryConfig } from '../../activities/destinations/config';
import type { Destination, LoadBatch } from '../../activities/destinations/destination';
import { DestinationError } from '../../activities/errors';
import type { TableSchema } from '../../activities/warehouse/table-schema';
import { describeDestinationContract } from './contract';
import { startRecordingProxy } from '../support/recording-proxy';
import { startBqemulator, type BqemulatorServer } from '../support/warehouse-servers';

// Without these variables the drivers probe cloud metadata hosts to detect their platform.
vi.hoisted(() => {
  process.env.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  process.env.METADATA_SERVER_DETECTION = 'none';
});

let server: BqemulatorServer | undefined;
let datasetCounter = 0;

beforeAll(async () => {
  server = await startBqemulator();
}, 90_000);

afterAll(async () => {
  await server?.close();
});

/** Returns the configuration of a dataset no other test uses, on the suite's bqemulator. */
function emulatorConfig(): BigqueryConfig {
  datasetCounter += 1;
  return {
    type: 'bigquery',
    projectId: server?.projectId ?? 'unset',
    location: 'US',
    apiEndpoint: server?.apiEndpoint,
    dataset: `contract_${process.pid}_${datasetCounter}`,
  };
}

async function openEmulatorDestination(config = emulatorConfig()): Promise<Destination> {
  const { openBigqueryDestination } = await import('../../activities/destinations/bigquery/bigquery-destination');
  return openBigqueryDestination(config);
}

function batchOf(loadId: string, tables: LoadBatch['tables'], state?: LoadBatch['state']): LoadBatch {
  const rowCount = tables.reduce((sum, table) => sum + table.rows.length, 0);
  return { loadId, tables, state, load: { loadId, syncId: 'sync-bq', resource: 'cards', scope: '301', page: 1, rowCount } };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describeDestinationContract('bigquery', () => openEmulatorDestination());

describe('bigquery destination on bqemulator', () => {
  it('stages a batch of several tables with one load job', async () => {
    const proxy = await startRecordingProxy(server?.apiEndpoint ?? 'http://127.0.0.1:1');
    const destination = await openEmulatorDestination({ ...emulatorConfig(), apiEndpoint: proxy.url });
    try {
      const table = (name: string): TableSchema => ({ name, primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'n', type: 'bigint' }] });
      const rows = (count: number) => Array.from({ length: count }, (_, index) => ({ id: String(index), n: index }));
      await destination.loadBatch(
        batchOf('one-job', [
          { table: table('pipes'), rows: rows(3) },
          { table: table('phases'), rows: rows(5) },
          { table: table('cards'), rows: rows(7) },
        ]),
      );

      const uploads = proxy.requests.filter((request) => request.method === 'POST' && request.url.startsWith('/upload/bigquery/v2/'));
      expect(uploads).toHaveLength(1);
      expect((await destination.readRows('phases', ['id'])).map((row) => row.n)).toEqual([0, 1, 2, 3, 4]);
      expect(await destination.readRows('cards', ['id'])).toHaveLength(7);
    } finally {
      await destination.close();
      await proxy.close();
    }
  });

  it('widens columns by copying them', async () => {
    const destination = await openEmulatorDestination();
    try {
      const narrow: TableSchema = {
        name: 'events',
        primaryKey: ['id'],
        columns: [
          { name: 'id', type: 'text' },
          { name: 'happened', type: 'date' },
          { name: 'amount', type: 'bigint' },
          { name: 'ratio', type: 'double' },
          { name: 'count', type: 'bigint' },
        ],
      };
      const wide: TableSchema = {
        ...narrow,
        columns: [
          { name: 'id', type: 'text' },
          { name: 'happened', type: 'timestamp' },
          { name: 'amount', type: 'text' },
          { name: 'ratio', type: 'decimal' },
          { name: 'count', type: 'decimal' },
        ],
      };

      await destination.loadBatch(batchOf('widen-1', [{ table: narrow, rows: [{ id: 'a', happened: '2024-02-29', amount: 42, ratio: 2.5, count: 7 }] }]));
      await destination.loadBatch(
        batchOf('widen-2', [{ table: wide, rows: [{ id: 'b', happened: '2024-03-01T12:30:00.000Z', amount: 'many', ratio: '0.000000001', count: '-1.5' }] }]),
      );

      const rows = await destination.readRows('events', ['id']);
      expect(rows.map(({ id, happened, amount, ratio, count }) => ({ id, happened, amount, ratio, count }))).toEqual([
        { id: 'a', happened: '2024-02-29T00:00:00.000Z', amount: '42', ratio: '2.5', count: '7' },
        { id: 'b', happened: '2024-03-01T12:30:00.000Z', amount: 'many', ratio: '0.000000001', count: '-1.5' },
      ]);
      const events = (await destination.listTables()).find((summary) => summary.name === 'events');
      const types = Object.fromEntries((events?.columns ?? []).map((column) => [column.name, column.type]));
      expect(types.happened).toBe('TIMESTAMP');
      expect(types.amount).toBe('STRING');
      expect(types.ratio).toBe('NUMERIC');
      expect(types.count).toBe('NUMERIC');
      expect(Object.keys(types).some((name) => name.includes('__'))).toBe(false);
    } finally {
      await destination.close();
    }
  });

  it('rolls back a failed transaction', async () => {
    const config = emulatorConfig();
    const destination = await openEmulatorDestination(config);
    try {
      const cards: TableSchema = { name: 'cards', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' }, { name: 'title', type: 'text' }] };
      const key = { connection: 'acme', resource: 'cards', scope: '301' };
      await destination.loadBatch(batchOf('kept', [{ table: cards, rows: [{ id: 'c1', title: 'Kept' }] }]));

      // Without the state table, the transaction fails at its last statement, after the rows were merged.
      const { createBigqueryClient } = await import('../../activities/destinations/bigquery/bigquery-client');
      const [drop] = await createBigqueryClient(config).createQueryJob(`DROP TABLE \`${config.projectId}.${config.dataset}._pipefy_state\``);
      await drop.getQueryResults();
      const failure = await failureOf(
        destination.loadBatch(batchOf('lost', [{ table: cards, rows: [{ id: 'c1', title: 'Changed' }, { id: 'c2', title: 'New' }] }], { ...key, cursor: 'page-2' })),
      );

      expect(failure).toBeInstanceOf(DestinationError);
      expect((failure as DestinationError).retryable).toBe(false);
      expect((failure as DestinationError).message).toContain(`bigquery:${config.projectId}/${config.dataset}`);
      const rows = await destination.readRows('cards', ['id']);
      expect(rows.map((row) => [row.id, row.title])).toEqual([['c1', 'Kept']]);
      expect((await destination.readRows('_pipefy_loads', ['load_id'])).map((load) => load.load_id)).toEqual(['kept']);
      expect((await destination.listTables()).some((summary) => summary.name.startsWith('_pipefy_stage_'))).toBe(false);
    } finally {
      await destination.close();
    }
  });

  it('rejects calls after close', async () => {
    const destination = await openEmulatorDestination();
    await destination.close();

    const failure = await failureOf(destination.listTables());

    expect(failure).toBeInstanceOf(DestinationError);
    expect((failure as DestinationError).retryable).toBe(false);
  });

  it('retries refused connection', async () => {
    const port = await unusedLoopbackPort();
    const failure = await failureOf(openEmulatorDestination({ ...emulatorConfig(), apiEndpoint: `http://127.0.0.1:${port}` }));

    expect(failure).toBeInstanceOf(DestinationError);
    expect((failure as DestinationError).retryable).toBe(true);
  }, 60_000);
});

describe('bigquery error translation', () => {
  const cases: { name: string; error: unknown; retryable: boolean }[] = [
    { name: 'rateLimitExceeded', error: apiError(403, 'rateLimitExceeded', 'Exceeded rate limits: too many table update operations'), retryable: true },
    { name: 'quotaExceeded', error: apiError(403, 'quotaExceeded', 'Quota exceeded: Your table exceeded quota for imports or query appends per table'), retryable: true },
    { name: 'backendError', error: apiError(500, 'backendError', 'Backend error'), retryable: true },
    { name: 'HTTP 503', error: apiError(503, undefined, 'Service Unavailable'), retryable: true },
    { name: 'network reset', error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), retryable: true },
    { name: 'concurrent update', error: apiError(400, 'invalidQuery', 'Transaction is aborted due to concurrent update against table p.d.cards'), retryable: true },
    { name: 'notFound', error: apiError(404, 'notFound', 'Not found: Dataset p:pipefy_data'), retryable: false },
    { name: 'invalid', error: apiError(400, 'invalid', 'Invalid value for type: INT64'), retryable: false },
    { name: 'invalidQuery', error: apiError(400, 'invalidQuery', 'Syntax error: Unexpected keyword ORDER'), retryable: false },
    { name: 'accessDenied', error: apiError(403, 'accessDenied', 'Access Denied: Table p:d.cards'), retryable: false },
    { name: 'authentication', error: apiError(401, 'authError', 'Request had invalid authentication credentials'), retryable: false },
  ];

  for (const { name, error, retryable } of cases) {
    it(`classifies ${name} (${retryable ? 'retryable' : 'final'})`, async () => {
      const { translateBigqueryError } = await import('../../activities/destinations/bigquery/bigquery-errors');

      const translated = translateBigqueryError(error, 'load batch b1', { destination: 'bigquery:acme/pipefy_data', table: 'cards' });

      expect(translated).toBeInstanceOf(DestinationError);
      expect(translated.retryable).toBe(retryable);
      expect(translated.message).toContain('bigquery:acme/pipefy_data');
      expect(translated.message).toContain('table "cards"');
    });
  }
});

describe('bigquery names', () => {
  it('keeps plain names', async () => {
    const { physicalName } = await import('../../activities/destinations/bigquery/bigquery-types');

    expect(physicalName('comments_count')).toBe('comments_count');
    expect(physicalName('_load_id')).toBe('_load_id');
    expect(physicalName(`c${'x'.repeat(118)}9`)).toBe(`c${'x'.repeat(118)}9`);
  });

  it('maps names BigQuery rejects', async () => {
    const { originalName, originalNameDescription, physicalName } = await import('../../activities/destinations/bigquery/bigquery-types');
    const names = ['say "hi"', 'mood 😀', 'Due Date And Time', 'due date and time', '_PARTITIONTIME', '1st', 'x'.repeat(400)];

    const stored = names.map(physicalName);

    for (const [index, name] of names.entries()) {
      expect(stored[index]).toMatch(/^[a-z][a-z0-9_]{0,119}$/);
      expect(originalName(stored[index], originalNameDescription(name))).toBe(name);
    }
    expect(new Set(stored.map((name) => name.toLowerCase())).size).toBe(names.length);
  });
});

/** Builds an error shaped like the client library's ApiError. */
function apiError(code: number, reason: string | undefined, message: string): Error {
  return Object.assign(new Error(message), { code, errors: reason ? [{ reason, message }] : [] });
}

/** Returns a loopback port that nothing listens on: the operating system picks it, then the listener closes. */
async function unusedLoopbackPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}
