import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { TableRows } from './destinations/destination';

/**
 * Fetched pages wait here between the fetch activity and the load activity,
 * so that records never travel through Temporal's history: only the file's
 * name does. Every worker of a deployment must see the same folder (one
 * machine, or a shared volume).
 *
 * NOTE: workers on separate machines without a shared volume need an object
 * store here; until then, run them with one shared staging folder.
 */
export class StagingStore {
  /**
   * Batches this process wrote, by file name, with the file's size and
   * modification time. A load in the same process reads a batch from here
   * while the file on disk is still the one written, instead of parsing it
   * again. The oldest entries go first past `recentLimit`, because a batch
   * that another worker loads is never read here.
   */
  private readonly recent = new Map<string, { value: unknown; size: number; mtimeMs: number }>();

  constructor(
    private readonly directory: string,
    private readonly recentLimit = 256,
  ) {}

  /**
   * Writes a batch under a deterministic name derived from its load id and
   * returns that name. Writing the same load id again replaces the file, so
   * a retried fetch leaves one file.
   */
  async write(loadId: string, tables: TableRows[]): Promise<string> {
    return this.writeJson(loadId, tables);
  }

  private async writeJson(loadId: string, value: unknown): Promise<string> {
    const name = stagedName(loadId);
    const target = path.join(this.directory, name);
    await mkdir(this.directory, { recursive: true });

    // Write then rename, so a crash never leaves a half-written batch under the final name.
    const temporary = `${target}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(value));
    await rename(temporary, target);

    const written = await stat(target);
    this.recent.delete(name);
    this.recent.set(name, { value, size: written.size, mtimeMs: written.mtimeMs });
    if (this.recent.size > this.recentLimit) this.recent.delete(this.recent.keys().next().value as string);
    return name;
  }

  /** Writes the ids of one deletion-scan page under a name derived from `loadId`. */
  async writeIds(loadId: string, ids: string[]): Promise<string> {
    return this.writeJson(loadId, ids);
  }

  /** Reads staged ids, or returns `undefined` when they are gone. */
  async readIds(name: string): Promise<string[] | undefined> {
    return (await this.readJson(name)) as string[] | undefined;
  }

  /** Reads a staged batch, or returns `undefined` when it is gone. */
  async read(name: string): Promise<TableRows[] | undefined> {
    return (await this.readJson(name)) as TableRows[] | undefined;
  }

  private async readJson(name: string): Promise<unknown> {
    const file = path.join(this.directory, name);
    try {
      const cached = this.recent.get(name);
      if (cached) {
        const current = await stat(file);
        if (current.size === cached.size && current.mtimeMs === cached.mtimeMs) return cached.value;
        this.recent.delete(name);
      }
      return JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * Deletes staged files last written more than `ageMs` ago and returns how
   * many it deleted. A failed or terminated sync leaves its staged pages
   * behind. A running sync loads its pages within the load's retry time of
   * 1 hour, and a page deleted too early is fetched again.
   */
  async removeOlderThan(ageMs: number, now = Date.now()): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }

    let removed = 0;
    for (const name of names) {
      const file = path.join(this.directory, name);
      const written = await stat(file).catch(() => undefined);
      if (!written?.isFile() || now - written.mtimeMs <= ageMs) continue;
      this.recent.delete(name);
      await rm(file, { force: true });
      removed += 1;
    }
    return removed;
  }

  /** Deletes a staged batch; deleting a missing one is not an error. */
  async discard(name: string): Promise<void> {
    this.recent.delete(name);
    await rm(path.join(this.directory, name), { force: true });
  }
}

/** File name for a load id: `/` and other unsafe characters become `_`. */
export function stagedName(loadId: string): string {
  return `${loadId.replace(/[^A-Za-z0-9._-]+/g, '_')}.json`;
}
