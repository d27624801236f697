import { createServer, type AddressInfo } from 'node:net';

import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';

import { openPostgresDestination } from '../../activities/destinations/postgres/postgres-destination';
import { DestinationError } from '../../activities/errors';
import { describeDestinationContract } from './contract';

const server = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const datasets: string[] = [];
let datasetCounter = 0;

afterAll(async () => {
  const client = new pg.Client(server);
  await client.connect();
  try {
    for (const dataset of datasets) await client.query(`DROP SCHEMA IF EXISTS "${dataset}" CASCADE`);
  } finally {
    await client.end();
  }
});

function openContractDestination() {
  datasetCounter += 1;
  const dataset = `contract_${process.pid}_${datasetCounter}`;
  datasets.push(dataset);
  return openPostgresDestination({ type: 'postgres', ...server, ssl: false, dataset });
}

describeDestinationContract('postgres', openContractDestination);

describe('postgres destination errors', () => {
  it('rejects unknown database without retry', async () => {
    const failure = await openPostgresDestination({ type: 'postgres', ...server, database: 'pipefy_sync_missing_db', ssl: false, dataset: 'unused' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(DestinationError);
    expect((failure as DestinationError).retryable).toBe(false);
    expect((failure as DestinationError).message).toContain('3D000');
  });

  it('retries refused connection', async () => {
    const port = await unusedLoopbackPort();
    const failure = await openPostgresDestination({ type: 'postgres', ...server, port, ssl: false, dataset: 'unused' }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(DestinationError);
    expect((failure as DestinationError).retryable).toBe(true);
  });

  it('masks password in messages', async () => {
    const password = 'pipefy_sync_test_secret';
    const failure = await openPostgresDestination({
      type: 'postgres',
      connectionString: `postgres://postgres:${password}@127.0.0.1:5432/pipefy_sync_missing_db`,
      host: '127.0.0.1',
      port: 5432,
      user: 'postgres',
      database: 'postgres',
      ssl: false,
      dataset: 'unused',
    }).then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(failure).toBeInstanceOf(DestinationError);
    expect((failure as DestinationError).message).not.toContain(password);
    expect((failure as DestinationError).message).toContain('127.0.0.1:5432/pipefy_sync_missing_db');
  });
});

/** Returns a loopback port that nothing listens on: the operating system picks it, then the listener closes. */
async function unusedLoopbackPort(): Promise<number> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as AddressInfo;
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  return port;
}
