import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../emulator';
import { type DevServer, freePort, PROJECT_ROOT, startTemporalDevServer, stopProcess } from '../scripts/local-temporal';
import { syncPipefyWorkflow } from '../workflows';

let temporal: DevServer;
let emulator: RunningEmulator;
let worker: ChildProcess;
let client: Client;
let dataDir: string;
let metricsAddress: string;
let output = '';
const taskQueue = `pipefy-sync-metrics-${process.pid}`;

beforeAll(async () => {
  temporal = await startTemporalDevServer();
  emulator = await startEmulator({ seed: { pipes: 1, cardsPerPipe: 60, tables: 1, recordsPerTable: 5 } });
  dataDir = mkdtempSync(path.join(tmpdir(), 'pipefy-sync-metrics-'));
  metricsAddress = `127.0.0.1:${await freePort()}`;

  worker = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, 'worker', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env: {
      ...process.env,
      PIPEFY_API_URL: emulator.url,
      PIPEFY_TOKEN: 'emulator-token',
      TEMPORAL_ADDRESS: temporal.address,
      PIPEFY_SYNC_TASK_QUEUE: taskQueue,
      PIPEFY_SYNC_DATA_DIR: dataDir,
      PIPEFY_SYNC_METRICS_ADDRESS: metricsAddress,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const deadline = Date.now() + 60_000;
  while (!output.includes('pipefy-sync worker:')) {
    if (worker.exitCode !== null) throw new Error(`worker exited: ${output}`);
    if (Date.now() > deadline) throw new Error(`worker did not start: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
});

afterAll(async () => {
  await client?.connection.close();
  if (worker) await stopProcess(worker);
  await emulator?.close();
  await temporal?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('worker process', () => {
  it('prints its settings without secrets', () => {
    expect(output).toContain(`task queue ${taskQueue}`);
    expect(output).toContain(`metrics http://${metricsAddress}/metrics`);
    expect(output).not.toContain('emulator-token');
  });

  it('serves Prometheus metrics of a sync', async () => {
    await client.workflow.execute(syncPipefyWorkflow, { taskQueue, workflowId: `metrics-${Date.now()}`, args: [{}] });

    const response = await fetch(`http://${metricsAddress}/metrics`);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(text).toMatch(/pipefy_sync_requests\{[^}]*operation="PipefyCardsPage"[^}]*outcome="ok"[^}]*\} [1-9]/);
    expect(text).toMatch(/pipefy_sync_rows_loaded\{[^}]*table="cards"[^}]*\} 60/);
    expect(text).toContain('temporal_activity_execution_latency');
  });
});
