/**
 * Times the two halves of a page, without Temporal: the Pipefy fetch
 * (request, normalization, staging) and the warehouse load, page after page
 * into one growing table, to show whether the load's cost grows with the
 * rows already loaded.
 *
 * npx tsx bench/load-profile.ts [--cards 10000] [--destination duckdb|postgres]
 *
 * Runs the emulator in this process with throttling off and calls the real
 * activities through `MockActivityEnvironment`. Prints a markdown table of
 * mean milliseconds per page for each tenth of the pipe.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { DestinationConfig } from '../activities/destinations/config';
import { openDestination } from '../activities/destinations';
import { createDestinationActivities } from '../activities/destination-activities';
import { createPipefyActivities, type FetchPageResult } from '../activities/pipefy-activities';
import { PipefyClient } from '../activities/pipefy/pipefy-client';
import { StagingStore } from '../activities/staging';
import { startEmulator } from '../emulator';
import { dropPostgresSchema, POSTGRES_BENCH } from './postgres-schema';

const CONNECTION = 'default';
const DESTINATION = 'profile';

interface PageTiming {
  cardsBefore: number;
  fetchMs: number;
  loadMs: number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { cards: { type: 'string' }, destination: { type: 'string' } } });
  const cards = Number(values.cards ?? 10_000);
  const destinationType = values.destination ?? 'duckdb';
  if (!Number.isInteger(cards) || cards < 500) throw new Error(`Invalid --cards "${values.cards}": expected a whole number of 500 or more.`);
  if (destinationType !== 'duckdb' && destinationType !== 'postgres') {
    throw new Error(`Invalid --destination "${destinationType}": expected duckdb or postgres.`);
  }

  const workDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-load-profile-'));
  const emulator = await startEmulator({ seed: { pipes: 1, cardsPerPipe: cards, tables: 0 }, budget: 0 });
  const config: DestinationConfig =
    destinationType === 'duckdb'
      ? { type: 'duckdb', path: path.join(workDir, 'profile.duckdb'), dataset: 'pipefy_data' }
      : { type: 'postgres', ...POSTGRES_BENCH, ssl: false, dataset: 'bench_load_profile' };
  if (config.type === 'postgres') await dropPostgresSchema(config.dataset);

  const staging = new StagingStore(path.join(workDir, 'staging'));
  const client = new PipefyClient({ apiUrl: emulator.url, token: 'emulator-token', requestTimeoutSeconds: 60, connection: CONNECTION });
  const pipefy = createPipefyActivities({ clientFor: () => client, staging });
  const warehouse = createDestinationActivities({ destinationConfig: () => config, open: openDestination, staging });
  const environment = new MockActivityEnvironment();

  try {
    const pipeId = emulator.state.organization.pipes[0].id;
    const timings = await timePages(environment, pipefy, warehouse, pipeId);
    printSummary(timings, cards, destinationType);
  } finally {
    await warehouse.closeDestinations();
    await emulator.close();
    rmSync(workDir, { recursive: true, force: true });
  }
}

async function timePages(
  environment: MockActivityEnvironment,
  pipefy: ReturnType<typeof createPipefyActivities>,
  warehouse: ReturnType<typeof createDestinationActivities>,
  pipeId: string,
): Promise<PageTiming[]> {
  const timings: PageTiming[] = [];
  let after: string | null = null;
  let cardsBefore = 0;

  for (let page = 0; ; page += 1) {
    const loadId = `load-profile/cards/${pipeId}/${page}`;
    const fetchStart = performance.now();
    const fetched: FetchPageResult = await environment.run(pipefy.fetchCardsPage, {
      connection: CONNECTION,
      pipeId,
      loadId,
      after,
      updatedFrom: null,
      updatedTo: null,
    });
    const loadStart = performance.now();
    await environment.run(warehouse.loadStagedBatch, {
      destination: DESTINATION,
      stagedNames: [fetched.stagedName],
      load: { loadId, syncId: 'load-profile', resource: 'cards', scope: pipeId, page, rowCount: fetched.items },
    });
    timings.push({ cardsBefore, fetchMs: loadStart - fetchStart, loadMs: performance.now() - loadStart });

    cardsBefore += fetched.items;
    after = fetched.endCursor;
    if (!fetched.hasNextPage) return timings;
  }
}

function printSummary(timings: PageTiming[], cards: number, destination: string): void {
  const tenth = Math.ceil(timings.length / 10);
  const lines = [
    `Load profile: one pipe of ${cards.toLocaleString('en-US')} cards into ${destination}, ${timings.length} pages of 50.`,
    '',
    '| cards already loaded | fetch ms per page | load ms per page |',
    '| --- | --- | --- |',
  ];
  for (let start = 0; start < timings.length; start += tenth) {
    const slice = timings.slice(start, start + tenth);
    const mean = (pick: (timing: PageTiming) => number) => slice.reduce((sum, timing) => sum + pick(timing), 0) / slice.length;
    lines.push(`| ${slice[0].cardsBefore.toLocaleString('en-US')} | ${mean((timing) => timing.fetchMs).toFixed(0)} | ${mean((timing) => timing.loadMs).toFixed(0)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Load profile failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
