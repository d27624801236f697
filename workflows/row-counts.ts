/** Adds the row counts of `rows` into `target`, table by table. */
export function addRows(target: Record<string, number>, rows: Record<string, number>): void {
  for (const [table, count] of Object.entries(rows)) target[table] = (target[table] ?? 0) + count;
}

/** Returns the rows of all tables together. */
export function sumRows(rowsByTable: Record<string, number>): number {
  return Object.values(rowsByTable).reduce((sum, rows) => sum + rows, 0);
}
