import type { Destination, TableSummary } from '../activities/destinations/destination';

export interface ShowReport {
  tables: TableSummary[];
  state: { connection: string; resource: string; scope: string; cursor: unknown; load_id: string; updated_at: string }[];
  recentLoads: { load_id: string; resource: string; scope: string; page: number; row_count: number; loaded_at: string }[];
}

const BOOKKEEPING_TABLES = new Set(['_pipefy_loads', '_pipefy_state']);

/**
 * Collects what a destination holds: every table with its row count and
 * columns, every stored cursor, and the latest loads.
 *
 * NOTE: it reads the whole load table to pick the latest loads; for very
 * long-lived warehouses a `LIMIT` query per destination would be cheaper.
 */
export async function collectShowReport(destination: Destination, recent = 10): Promise<ShowReport> {
  const all = await destination.listTables();
  const names = new Set(all.map((table) => table.name));

  const state = names.has('_pipefy_state')
    ? ((await destination.readRows('_pipefy_state', ['connection', 'resource', 'scope'])) as ShowReport['state'])
    : [];
  const loads = names.has('_pipefy_loads')
    ? ((await destination.readRows('_pipefy_loads', ['loaded_at', 'load_id'])) as ShowReport['recentLoads'])
    : [];

  return {
    tables: all.filter((table) => !BOOKKEEPING_TABLES.has(table.name)),
    state,
    recentLoads: loads.slice(-recent).reverse(),
  };
}

/** Renders a report as aligned text. */
export function formatShowReport(report: ShowReport): string {
  const lines: string[] = [];
  const width = Math.max(5, ...report.tables.map((table) => table.name.length));

  lines.push(`${'table'.padEnd(width)}  ${'rows'.padStart(9)}  columns`);
  for (const table of report.tables) {
    lines.push(`${table.name.padEnd(width)}  ${String(table.rowCount).padStart(9)}  ${table.columns.length}`);
  }

  lines.push('', 'cursors:');
  if (report.state.length === 0) lines.push('  (none)');
  for (const entry of report.state) {
    lines.push(`  ${entry.connection}/${entry.resource}/${entry.scope}: ${JSON.stringify(entry.cursor)} (load ${entry.load_id})`);
  }

  lines.push('', 'latest loads:');
  if (report.recentLoads.length === 0) lines.push('  (none)');
  for (const load of report.recentLoads) {
    lines.push(`  ${load.loaded_at}  ${load.load_id}  ${load.row_count} rows`);
  }
  return lines.join('\n');
}
