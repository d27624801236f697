import { type ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, stopProcess } from '../../scripts/local-temporal';

/** Line that `worker/main.ts` prints once its workers are created and about to poll. */
const READY_LINE = 'pipefy-sync worker:';

/** Characters of the worker's combined output kept for failure messages. */
const OUTPUT_TAIL = 8000;

export interface WorkerProcessOptions {
  /**
   * Environment of the worker on top of this process's own, such as
   * `TEMPORAL_ADDRESS`, `PIPEFY_API_URL`, `PIPEFY_TOKEN`,
   * `PIPEFY_SYNC_DATA_DIR` and `PIPEFY_SYNC_TASK_QUEUE`.
   */
  env: Record<string, string>;
  /**
   * Content of the worker's configuration file (see `worker/config.ts`).
   * It is written to `configFile` and passed as `PIPEFY_SYNC_CONFIG`, so a
   * `pipefy-sync.config.json` in the project folder is never read.
   */
  config: unknown;
  configFile: string;
  /** Milliseconds to wait for the ready line. Default 60,000, because the worker bundles the workflows first. */
  startTimeoutMs?: number;
}

/** A `worker/main.ts` child process that a test can kill and start again with the same settings. */
export interface WorkerProcess {
  /** The running child, replaced by {@link restart}. */
  readonly child: ChildProcess;
  /** The last lines the current child wrote to stdout and stderr. */
  output(): string;
  /** Kills the child with SIGKILL, as a crash or an out-of-memory kill would, and waits for its exit. */
  kill(): Promise<void>;
  /** Starts a new child with the same settings and waits until it polls. */
  restart(): Promise<void>;
  /** Stops the child with SIGTERM (SIGKILL after 10 s) and waits for its exit. */
  stop(): Promise<void>;
}

/**
 * Starts `worker/main.ts` under `tsx` as a separate process and resolves once
 * it prints its ready line.
 *
 * @throws Error with the worker's output when it exits or stays silent
 * past `startTimeoutMs`.
 */
export async function startWorkerProcess(options: WorkerProcessOptions): Promise<WorkerProcess> {
  writeFileSync(options.configFile, JSON.stringify(options.config, null, 2));
  const env = { ...process.env, ...options.env, PIPEFY_SYNC_CONFIG: options.configFile };

  let current = await spawnWorker(env, options.startTimeoutMs ?? 60_000);
  return {
    get child() {
      return current.child;
    },
    output: () => current.output(),
    async kill() {
      const { child } = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
    async restart() {
      await stopProcess(current.child);
      current = await spawnWorker(env, options.startTimeoutMs ?? 60_000);
    },
    stop: () => stopProcess(current.child),
  };
}

async function spawnWorker(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ child: ChildProcess; output(): string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('worker', 'main.ts')], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_TAIL);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`The worker process printed no "${READY_LINE}" line within ${timeoutMs / 1000} s. Its output:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      if (!output.includes(READY_LINE)) return;
      cleanup();
      resolve();
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new Error(`The worker process exited (code ${code}, signal ${signal}) before it was ready. Its output:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });

  return { child, output: () => output };
}
