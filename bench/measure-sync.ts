import type { Client } from '@temporalio/client';
import { readFileSync } from 'node:fs';
import type { EmulatorStats } from '../emulator';
import { type SyncInput } from '../workflows/inputs';
import { type SyncResult, syncPipefyWorkflow } from '../workflows';
import { type ChildHistoryFigures, readChildHistories } from './history';
import { MemorySampler, readTreeUsage } from './processes';
import type { EmulatorProcess } from './stack';

/** Processes whose CPU time a measurement reports. */
export interface MeasuredProcesses {
  workerPid: number;
  emulator: EmulatorProcess;
  temporalPid: number;
}

/** Figures of one sync, as stored in the results file. */
export interface SyncMeasurement {
  workflowId: string;
  input: SyncInput;
  wallSeconds: number;
  /** Requests, pages and rows that the workflow reports. */
  result: Pick<SyncResult, 'requests' | 'pages' | 'pipes' | 'tables' | 'rowsByTable'>;
  /** Cards and records fetched, from the child workflows' totals. */
  items: { cards: number; records: number };
  /** Pages of the deletion scan, which lists every id after the data pages. It is 0 when no scan ran. */
  scanPages: number;
  /** Emulator counters over this sync alone; they are reset before it starts. */
  emulator: EmulatorStats;
  /** Peak resident memory of the worker's process tree while the sync ran. `VmHWM` is the peak since the process started. */
  workerMemory: { peakRssBytes: number; peakHwmBytes: number };
  /** User plus system CPU seconds spent during the sync. */
  cpuSeconds: { worker: number; emulator: number; temporal: number; wholeMachine: number };
  /** 1-minute load average when the sync started and when it ended. */
  loadAverage: { start: number; end: number };
  history: ChildHistoryFigures;
}

/**
 * Runs one `syncPipefyWorkflow` to completion and measures it: wall time,
 * the emulator's request counters, the worker's peak memory, CPU time per
 * process and the child workflows' histories.
 */
export async function measureSync(
  client: Client,
  taskQueue: string,
  workflowId: string,
  input: SyncInput,
  processes: MeasuredProcesses,
): Promise<SyncMeasurement> {
  await processes.emulator.resetStats();
  const memory = new MemorySampler(processes.workerPid);
  const cpuBefore = readCpu(processes);
  const loadStart = readLoadAverage();
  memory.start();

  const startedAt = performance.now();
  const result = await client.workflow.execute(syncPipefyWorkflow, { taskQueue, workflowId, args: [input] });
  const wallSeconds = (performance.now() - startedAt) / 1000;

  const workerMemory = memory.stop();
  const cpuAfter = readCpu(processes);
  const emulator = await processes.emulator.readStats();
  const history = await readChildHistories(client, workflowId);

  return {
    workflowId,
    input,
    wallSeconds,
    result: { requests: result.requests, pages: result.pages, pipes: result.pipes, tables: result.tables, rowsByTable: result.rowsByTable },
    items: {
      cards: sumItems(result, 'cards'),
      records: sumItems(result, 'table_records'),
    },
    scanPages: result.scopes.reduce((sum, scope) => sum + ((scope as { scanPages?: number }).scanPages ?? 0), 0),
    emulator,
    workerMemory,
    cpuSeconds: {
      worker: cpuAfter.worker - cpuBefore.worker,
      emulator: cpuAfter.emulator - cpuBefore.emulator,
      temporal: cpuAfter.temporal - cpuBefore.temporal,
      wholeMachine: cpuAfter.wholeMachine - cpuBefore.wholeMachine,
    },
    loadAverage: { start: loadStart, end: readLoadAverage() },
    history,
  };
}

function sumItems(result: SyncResult, resource: 'cards' | 'table_records'): number {
  return result.scopes.filter((scope) => scope.resource === resource).reduce((sum, scope) => sum + scope.items, 0);
}

function readCpu(processes: MeasuredProcesses) {
  return {
    worker: readTreeUsage(processes.workerPid).cpuSeconds,
    emulator: readTreeUsage(processes.emulator.pid).cpuSeconds,
    temporal: readTreeUsage(processes.temporalPid).cpuSeconds,
    wholeMachine: readMachineBusySeconds(),
  };
}

/** Busy CPU seconds of all cores since boot, from the first line of `/proc/stat`, in USER_HZ ticks (100 per second). */
function readMachineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // Fields: user nice system idle iowait irq softirq steal. Idle and iowait are not busy time.
  const [user, nice, system, , , irq, softirq, steal] = fields;
  return (user + nice + system + irq + softirq + steal) / 100;
}

function readLoadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
