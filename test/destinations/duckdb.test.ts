import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { openDuckdbDestination } from '../../activities/destinations/duckdb/duckdb-destination';
import { translateDuckdbError } from '../../activities/destinations/duckdb/duckdb-errors';
import { DestinationError } from '../../activities/errors';
import { describeDestinationContract } from './contract';

const folder = mkdtempSync(join(tmpdir(), 'pipefy-sync-duckdb-'));
// A missing parent folder is part of what the destination must handle.
const path = join(folder, 'nested', 'warehouse.duckdb');
let datasetCounter = 0;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

function openContractDestination() {
  datasetCounter += 1;
  return openDuckdbDestination({ type: 'duckdb', path, dataset: `contract_${process.pid}_${datasetCounter}` });
}

describeDestinationContract('duckdb', openContractDestination);

describe('duckdb destination file sharing', () => {
  it('shares one file between destinations', async () => {
    const first = await openDuckdbDestination({ type: 'duckdb', path, dataset: 'shared_file' });
    const second = await openDuckdbDestination({ type: 'duckdb', path, dataset: 'shared_file' });
    const table = { name: 'items', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' as const }] };
    const load = { syncId: 's', resource: 'items', scope: 'org', page: 1, rowCount: 1 };

    await first.loadBatch({ loadId: 'a', tables: [{ table, rows: [{ id: '1' }] }], load: { ...load, loadId: 'a' } });
    await first.close();
    await second.loadBatch({ loadId: 'b', tables: [{ table, rows: [{ id: '2' }] }], load: { ...load, loadId: 'b' } });

    expect((await second.readRows('items', ['id'])).map((row) => row.id)).toEqual(['1', '2']);
    await second.close();

    const reopened = await openDuckdbDestination({ type: 'duckdb', path, dataset: 'shared_file' });
    expect(await reopened.readRows('items', ['id'])).toHaveLength(2);
    await reopened.close();
  });
});

describe('duckdb error translation', () => {
  const cases: { message: string; retryable: boolean }[] = [
    { message: 'IO Error: Could not set lock on file "/data/pipefy.duckdb": Conflicting lock is held', retryable: true },
    { message: 'TransactionContext Error: Catalog write-write conflict on create with "cards"', retryable: true },
    { message: 'IO Error: Cannot open file "/root/x.duckdb": Permission denied', retryable: false },
    { message: "Conversion Error: Could not convert string 'abc' to INT64", retryable: false },
    { message: 'Parser Error: syntax error at or near "order"', retryable: false },
  ];

  for (const { message, retryable } of cases) {
    it(`classifies ${message.split(':')[0]} (${retryable ? 'retryable' : 'final'})`, () => {
      const error = translateDuckdbError(new Error(message), 'load batch b1', { destination: '/data/pipefy.duckdb', table: 'cards' });

      expect(error).toBeInstanceOf(DestinationError);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toContain('table "cards"');
    });
  }
});
