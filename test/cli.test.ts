import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatShowReport } from '../client/show';
import { startSync } from '../client/sync-client';
import { PROJECT_ROOT } from '../scripts/local-temporal';
import { type SyncStack, startSyncStack } from './support/sync-stack';

const run = promisify(execFile);
const SEED = { pipes: 2, cardsPerPipe: 300, tables: 1, recordsPerTable: 20 };

let stack: SyncStack;

beforeAll(async () => {
  // One request per second keeps a sync of 16 requests running long enough to watch it.
  stack = await startSyncStack({ emulator: { seed: SEED }, requestsPerSecond: 1 });
});

afterAll(async () => {
  await stack?.stop();
});

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(...args: string[]): Promise<CliResult> {
  const env = {
    ...process.env,
    TEMPORAL_ADDRESS: stack.temporal.address,
    PIPEFY_SYNC_TASK_QUEUE: stack.config.temporal.taskQueue,
    PIPEFY_SYNC_DATA_DIR: stack.dataDir,
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'client', 'cli.ts'), ...args], {
      cwd: PROJECT_ROOT,
      env,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('cli', () => {
  it('documents every command', async () => {
    const result = await cli('--help');

    expect(result.code).toBe(0);
    for (const command of ['sync', 'backfill', 'schedule', 'status', 'show', 'dev-server', 'demo']) {
      expect(result.stdout).toContain(command);
    }
  });

  it('exits 2 on an invalid option', async () => {
    const result = await cli('sync', '--mode', 'sideways');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'sideways' is invalid");
  });

  it('prints why a sync failed', async () => {
    const result = await cli('sync', '--pipe', '999', '--workflow-id', stack.uniqueId('unknown-pipe'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('sync failed: Unknown pipe id 999');
  });

  it('exits 2 on an invalid sync input', async () => {
    const result = await cli('sync', '--pipe', 'abc', '--workflow-id', stack.uniqueId('invalid-pipe'));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('pipeIds.0: pipeIds entry "abc" is not a numeric Pipefy id');
  });

  it('passes --input fields to the sync', async () => {
    const result = await cli('sync', '--input', '{"itemsPerLoad": 0}', '--workflow-id', stack.uniqueId('input-field'));

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('itemsPerLoad: Number must be greater than or equal to 1');
  });

  it('exits 2 on --input that is not JSON', async () => {
    const result = await cli('sync', '--input', '{itemsPerLoad: 100}');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not valid JSON');
  });

  it('rejects an unknown connection at once', async () => {
    const result = await cli('sync', '--connection', 'acme', '--workflow-id', stack.uniqueId('unknown-connection'));

    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Unknown connection "acme"; this worker has: default');
  });

  it('names a missing schedule', async () => {
    const result = await cli('schedule', 'pause', 'no-such-schedule');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Schedule no-such-schedule not found');
  });

  it('names a schedule deleted twice', async () => {
    const created = await cli('schedule', 'create', '--every', '1h', '--paused', '--schedule-id', 'cli-deleted-twice');
    expect(created.code).toBe(0);
    expect((await cli('schedule', 'delete', 'cli-deleted-twice')).code).toBe(0);

    const result = await cli('schedule', 'delete', 'cli-deleted-twice');

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Schedule cli-deleted-twice not found');
  });

  it('status shows a running sync', async () => {
    const handle = await startSync(stack.client, stack.config.temporal, {}, { workflowId: stack.uniqueId('status') });

    let text = '';
    for (let attempt = 0; attempt < 20 && !text.includes(handle.workflowId); attempt += 1) {
      const result = await cli('status');
      expect(result.code).toBe(0);
      text = result.stdout;
    }
    expect(text).toMatch(new RegExp(`${handle.workflowId}: (starting|planning|loading_metadata|\\[[#.]{20}\\] \\d+/\\d+ scopes)`));

    const json = await cli('status', '--json');
    const running = JSON.parse(json.stdout).filter((entry: { workflowId: string }) => entry.workflowId === handle.workflowId);
    expect(running).toHaveLength(1);

    await handle.result();
    const after = await cli('status', '--json');
    expect(JSON.parse(after.stdout).map((entry: { workflowId: string }) => entry.workflowId)).not.toContain(handle.workflowId);
  });

  it('show lists tables, cursors and loads', async () => {
    // DuckDB lets one process write a file: stop this process's workers, which hold it open.
    await stack.workers.shutdown();

    const result = await cli('show', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);

    const cards = report.tables.find((table: { name: string }) => table.name === 'cards');
    expect(cards.rowCount).toBe(SEED.pipes * SEED.cardsPerPipe);
    expect(report.state).toHaveLength(SEED.pipes + SEED.tables);
    expect(report.recentLoads.length).toBeGreaterThan(0);

    const text = await cli('show');
    expect(text.stdout).toBe(`${formatShowReport(report)}\n`);
    expect(text.stdout).toMatch(/^cards\s+600\s+\d+$/m);
  });
});
