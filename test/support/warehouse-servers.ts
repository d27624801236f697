import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Local warehouse emulators for tests: fakesnow (Snowflake) and bqemulator
 * (BigQuery), started from the project's `.tools` virtual environments on
 * 127.0.0.1 with a port the operating system picks.
 */

const ROOT = resolve(__dirname, '..', '..');
const FAKESNOW_PYTHON = join(ROOT, '.tools', 'venv', 'bin', 'python');
const FAKESNOW_BIN = join(ROOT, '.tools', 'venv', 'bin', 'fakesnow');
const FAKESNOW_LAUNCHER = join(__dirname, 'fakesnow-json-server.py');
const BQEMULATOR_BIN = join(ROOT, '.tools', 'bqemulator-venv', 'bin', 'bqemulator');
/** HOME for bqemulator, where install-tools.sh puts DuckDB's spatial extension. */
const BQEMULATOR_HOME = join(ROOT, '.tools', 'bqemulator-home');
const INSTALL_SCRIPT = join(ROOT, 'scripts', 'install-tools.sh');

const START_TIMEOUT_MS = 60_000;
const BQEMULATOR_PROJECT_ID = 'pipefy-sync-test';

export interface FakesnowServer {
  /** Base URL for the Snowflake driver's `accessUrl`, such as `http://127.0.0.1:41234`. */
  accessUrl: string;
  close(): Promise<void>;
}

export interface BqemulatorServer {
  /** Base URL for the BigQuery client's `apiEndpoint`. */
  apiEndpoint: string;
  projectId: string;
  close(): Promise<void>;
}

/**
 * Starts an in-memory fakesnow server and resolves once it listens. The
 * server runs behind `fakesnow-json-server.py`, which turns fakesnow's Arrow
 * results into the JSON results that the Node.js driver reads.
 * Installs the emulators first when the binary is missing.
 *
 * @throws Error when the server exits or does not listen within a minute.
 */
export async function startFakesnow(): Promise<FakesnowServer> {
  ensureInstalled(FAKESNOW_BIN);
  const child = spawn(FAKESNOW_PYTHON, [FAKESNOW_LAUNCHER, '--host', '127.0.0.1'], {
    cwd: ROOT,
    env: emulatorEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const match = await waitForOutput(child, 'fakesnow', /fakesnow listening on (http:\/\/127\.0\.0\.1:\d+)/);
  return { accessUrl: match[1], close: () => stopProcess(child) };
}

/**
 * Starts an in-memory bqemulator and resolves once its REST API listens.
 * DuckDB's avro extension is switched off and the spatial extension comes
 * from the project's tools folder, so the emulator downloads nothing.
 *
 * @throws Error when the server exits or does not listen within a minute.
 */
export async function startBqemulator(): Promise<BqemulatorServer> {
  ensureInstalled(BQEMULATOR_BIN);
  const args = ['start', '--rest-port', '0', '--grpc-port', '0', '--ephemeral'];
  args.push('--project', BQEMULATOR_PROJECT_ID, '--log-format', 'json', '--log-level', 'info');
  const child = spawn(BQEMULATOR_BIN, args, {
    cwd: ROOT,
    env: {
      ...emulatorEnvironment(),
      HOME: BQEMULATOR_HOME,
      BQEMU_ENABLE_FORMAT_EXTENSIONS: 'false',
      BQEMU_METRICS_ENABLED: 'false',
      BQEMU_TRACING_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const match = await waitForOutput(child, 'bqemulator', /"port": (\d+), "event": "rest\.listen"/);
  return {
    apiEndpoint: `http://127.0.0.1:${match[1]}`,
    projectId: BQEMULATOR_PROJECT_ID,
    close: () => stopProcess(child),
  };
}

/** The test process's environment without proxies or telemetry exporters, plus the no-metadata switches. */
function emulatorEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = { ...process.env };
  for (const name of Object.keys(environment)) {
    if (/^(OTEL_|HTTPS?_PROXY$|ALL_PROXY$)/i.test(name)) delete environment[name];
  }
  environment.SNOWFLAKE_DISABLE_PLATFORM_DETECTION = 'true';
  environment.METADATA_SERVER_DETECTION = 'none';
  environment.PYTHONUNBUFFERED = '1';
  return environment;
}

function ensureInstalled(binary: string): void {
  if (existsSync(binary)) return;

  const result = spawnSync('bash', [INSTALL_SCRIPT, 'warehouses'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(binary)) {
    throw new Error(`Installing the warehouse emulators failed; run ${INSTALL_SCRIPT} warehouses and read its output.`);
  }
}

/** Resolves with the first match of `pattern` in the child's output; rejects when it exits first or times out. */
function waitForOutput(child: ChildProcess, name: string, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolvePromise, rejectPromise) => {
    let output = '';
    const timer = setTimeout(() => {
      finish();
      void stopProcess(child);
      rejectPromise(new Error(`${name} did not listen within ${START_TIMEOUT_MS} ms. Output:\n${output.slice(-4000)}`));
    }, START_TIMEOUT_MS);

    const onData = (chunk: Buffer): void => {
      output += chunk.toString('utf8');
      const match = output.match(pattern);
      if (!match) return;
      finish();
      resolvePromise(match);
    };
    const onExit = (code: number | null): void => {
      finish();
      rejectPromise(new Error(`${name} exited with code ${code} before listening. Output:\n${output.slice(-4000)}`));
    };
    function finish(): void {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep reading so that a full pipe never blocks the server.
      child.stdout?.resume();
      child.stderr?.resume();
    }

    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Sends SIGTERM, then SIGKILL after five seconds, and resolves when the process has exited. */
function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();

  return new Promise((resolvePromise) => {
    const killTimer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(killTimer);
      resolvePromise();
    });
    child.kill('SIGTERM');
  });
}
