import type { TableRows } from './destinations/destination';

/**
 * Merges the staged tables of several pages, in page order, into one entry
 * per table, so that a destination runs its statements once per table for
 * the whole group instead of once per page.
 *
 * The result loads into the same rows as loading the pages one after the
 * other:
 * - rows of one key stay in page order, and the destination keeps the last
 *   (see `Destination.loadBatch`);
 * - a later page's `replaceWhere` drops the earlier pages' rows it would
 *   have deleted, and its values join the merged entry's;
 * - entries whose table schema or `replaceWhere` column differ stay apart,
 *   in the order they first appear.
 */
export function mergePages(pages: TableRows[][]): TableRows[] {
  const merged = new Map<string, TableRows>();

  for (const page of pages) {
    for (const entry of page) {
      const key = JSON.stringify([entry.table, entry.replaceWhere?.column ?? null]);
      const earlier = merged.get(key);
      if (!earlier) {
        merged.set(key, {
          table: entry.table,
          rows: [...entry.rows],
          ...(entry.replaceWhere ? { replaceWhere: { column: entry.replaceWhere.column, values: [...entry.replaceWhere.values] } } : {}),
        });
        continue;
      }

      if (entry.replaceWhere && earlier.replaceWhere) {
        const { column, values } = entry.replaceWhere;
        const replaced = new Set(values);
        earlier.rows = earlier.rows.filter((row) => !replaced.has(String(row[column])));
        const known = new Set(earlier.replaceWhere.values);
        earlier.replaceWhere.values.push(...values.filter((value) => !known.has(value)));
      }
      earlier.rows.push(...entry.rows);
    }
  }

  return [...merged.values()];
}
