import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT, stopProcess } from '../scripts/local-temporal';

/** USER_HZ, the unit of CPU times in `/proc/<pid>/stat`: 100 per second on x86 and arm64 Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

export interface BenchProcess {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Starts `node --import tsx <script>` from the project root with its stdout
 * and stderr appended to `logFile`. Runs node directly rather than through
 * npx, so that `pid` is the process whose memory the benchmark measures.
 */
export function spawnTypeScript(script: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): BenchProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(PROJECT_ROOT, script), ...args], {
    cwd: PROJECT_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid === undefined) throw new Error(`Failed to start node for ${script}. See ${logFile}.`);

  return { child, pid: child.pid, stop: () => stopProcess(child) };
}

/**
 * Resolves with the first stdout line of `child` that `matches` accepts.
 *
 * @throws Error when the child exits first or nothing matches within `timeoutMs`.
 */
export function waitForLine(child: ChildProcess, matches: (line: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffered = '';
    const finish = (error: Error | null, line?: string) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (error) reject(error);
      else resolve(line as string);
    };
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const found = lines.find(matches);
      if (found !== undefined) finish(null, found);
    };
    const onExit = (code: number | null) => finish(new Error(`${what} exited with code ${code} before it was ready.`));
    const timer = setTimeout(() => finish(new Error(`${what} was not ready within ${timeoutMs / 1000} s.`)), timeoutMs);

    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Memory and CPU of a process tree, read from `/proc`. */
export interface TreeUsage {
  /** Sum of `VmRSS` over the tree, in bytes. */
  rssBytes: number;
  /** Sum of `VmHWM` (each process's own peak resident set) over the tree, in bytes. */
  hwmBytes: number;
  /** User plus system CPU time of the tree, in seconds. */
  cpuSeconds: number;
  processes: number;
}

/** Reads the current usage of `rootPid` and all of its descendants. */
export function readTreeUsage(rootPid: number): TreeUsage {
  const usage: TreeUsage = { rssBytes: 0, hwmBytes: 0, cpuSeconds: 0, processes: 0 };
  for (const pid of treePids(rootPid)) {
    const status = readProc(pid, 'status');
    const stat = readProc(pid, 'stat');
    if (status === undefined || stat === undefined) continue;

    usage.rssBytes += statusKilobytes(status, 'VmRSS') * 1024;
    usage.hwmBytes += statusKilobytes(status, 'VmHWM') * 1024;
    usage.cpuSeconds += statCpuSeconds(stat);
    usage.processes += 1;
  }
  return usage;
}

/**
 * Samples a process tree's resident memory every `intervalMs` and keeps the
 * maximum. `VmHWM` catches peaks between samples of the root process; the
 * sampled sum covers children too.
 */
export class MemorySampler {
  private timer: NodeJS.Timeout | undefined;
  private maxRss = 0;
  private maxHwm = 0;

  constructor(
    private readonly rootPid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): void {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
  }

  /** Takes a last sample and stops. Call it before the process exits, because `VmHWM` goes with it. */
  stop(): { peakRssBytes: number; peakHwmBytes: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    return { peakRssBytes: this.maxRss, peakHwmBytes: this.maxHwm };
  }

  private sample(): void {
    const usage = readTreeUsage(this.rootPid);
    this.maxRss = Math.max(this.maxRss, usage.rssBytes);
    this.maxHwm = Math.max(this.maxHwm, usage.hwmBytes);
  }
}

function treePids(rootPid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readProc(Number(entry), 'stat');
    if (stat === undefined) continue;

    const parent = Number(statFields(stat)[1]);
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), Number(entry)]);
  }

  const pids: number[] = [];
  const pending = [rootPid];
  while (pending.length > 0) {
    const pid = pending.pop() as number;
    pids.push(pid);
    pending.push(...(childrenOf.get(pid) ?? []));
  }
  return pids;
}

function readProc(pid: number, file: 'status' | 'stat'): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    // The process exited between the listing and the read.
    return undefined;
  }
}

function statusKilobytes(status: string, key: string): number {
  const match = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return match ? Number(match[1]) : 0;
}

/** Fields of `/proc/<pid>/stat` after the command name, which may contain spaces: [state, ppid, ...]. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

function statCpuSeconds(stat: string): number {
  const fields = statFields(stat);
  // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}
