/**
 * Runs `task` over `items`, at most `limit` at a time, keeping the items'
 * order in the result. Deterministic: tasks start in item order.
 */
export async function runWithParallelism<T, R>(items: T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next;
      next += 1;
      results[index] = await task(items[index]);
    }
  });
  await Promise.all(lanes);
  return results;
}
