import { mkdtempSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TableRows } from '../activities/destinations/destination';
import { StagingStore } from '../activities/staging';

const PIPES = { name: 'pipes', primaryKey: ['id'], columns: [{ name: 'id', type: 'text' as const }] };
const page = (id: string): TableRows[] => [{ table: PIPES, rows: [{ id }] }];

let directory: string;

beforeEach(() => {
  directory = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-staging-'));
});

afterEach(() => {
  rmSync(directory, { recursive: true, force: true });
});

describe('staging store', () => {
  it('reads back what it wrote', async () => {
    const store = new StagingStore(directory);
    const name = await store.write('sync/cards/301/0', page('1'));

    expect(await store.read(name)).toEqual(page('1'));
  });

  it('reads a file another worker replaced', async () => {
    const store = new StagingStore(directory);
    const name = await store.write('sync/cards/301/0', page('1'));
    await new StagingStore(directory).write('sync/cards/301/0', page('1234567'));

    expect(await store.read(name)).toEqual(page('1234567'));
  });

  it('reads a file written by another worker', async () => {
    const name = await new StagingStore(directory).write('sync/cards/301/0', page('1'));

    expect(await new StagingStore(directory).read(name)).toEqual(page('1'));
  });

  it('returns nothing after a discard', async () => {
    const store = new StagingStore(directory);
    const name = await store.write('sync/cards/301/0', page('1'));
    await store.discard(name);

    expect(await store.read(name)).toBeUndefined();
  });

  it('keeps a bounded number of batches in memory', async () => {
    const store = new StagingStore(directory, 2);
    const names = [];
    for (const id of ['1', '2', '3']) names.push(await store.write(`sync/cards/301/${id}`, page(id)));

    // The oldest batch left the memory but is read from its file.
    expect(await store.read(names[0])).toEqual(page('1'));
  });
});

describe('stale staged files', () => {
  it('removes only files older than the age', async () => {
    const store = new StagingStore(directory);
    const old = await store.write('failed-sync/cards/301/0', page('1'));
    const fresh = await store.write('running-sync/cards/301/0', page('2'));
    const dayAgo = new Date(Date.now() - 25 * 60 * 60 * 1000);
    utimesSync(path.join(directory, old), dayAgo, dayAgo);

    const removed = await store.removeOlderThan(24 * 60 * 60 * 1000);

    expect(removed).toBe(1);
    expect(await store.read(old)).toBeUndefined();
    expect(await store.read(fresh)).toEqual(page('2'));
  });

  it('accepts a missing staging folder', async () => {
    const store = new StagingStore(path.join(directory, 'not-yet'));

    expect(await store.removeOlderThan(0)).toBe(0);
  });
});
