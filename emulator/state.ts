/**
 * The emulator's mutable view of a seeded organization: card updates,
 * creations and deletions made through the admin API, plus caches of the
 * ordered card cores per pipe. Seeded data itself never changes. Stored
 * cards (`SeedOrganization.storedCards`) are served next to generated ones
 * and take the same admin updates and deletions.
 */
import {
  buildCard,
  cardIdOf,
  generateCardCore,
  locateCardId,
  type CardCore,
  type CardData,
  type CardOverride,
} from './card-generator';
import { buildRecord, locateRecordId, type RecordData } from './record-generator';
import type { PipeData, SeedOrganization, StoredCard, TableData } from './seed-types';
import { formatIsoZ } from './time-format';

export class EmulatorState {
  private readonly overrides = new Map<string, CardOverride>();
  private readonly deleted = new Set<string>();
  private readonly createdPerPipe: number[];
  private readonly orderedCores = new Map<number, CardCore[]>();
  private readonly filteredCores = new Map<string, CardCore[]>();
  private readonly storedCards: Map<string, StoredCard>;

  constructor(
    readonly organization: SeedOrganization,
    /** Pipe ids hidden from each token; requests for them get PERMISSION_DENIED. */
    private readonly hiddenPipes: Record<string, readonly string[]> = {},
  ) {
    this.createdPerPipe = organization.pipes.map(() => 0);
    this.storedCards = new Map((organization.storedCards ?? []).map((stored) => [stored.core.id, stored]));
  }

  findPipe(id: string): PipeData | undefined {
    return this.organization.pipes.find((pipe) => pipe.id === String(id));
  }

  /** Finds a table by its slug id or its numeric internal_id. */
  findTable(id: string): TableData | undefined {
    return this.organization.tables.find((table) => table.id === String(id) || table.internal_id === String(id));
  }

  canReadPipe(token: string, pipeId: string): boolean {
    return !(this.hiddenPipes[token] ?? []).includes(pipeId);
  }

  /** Returns a pipe's live cards ordered by creation time and then id. Cached until the next mutation. */
  cardCores(pipe: PipeData): CardCore[] {
    const cached = this.orderedCores.get(pipe.pipeIndex);
    if (cached) return cached;
    const total = pipe.cardCount + this.createdPerPipe[pipe.pipeIndex];
    const cores: CardCore[] = [];
    for (let index = 0; index < total; index += 1) {
      const id = cardIdOf(this.organization, pipe.pipeIndex, index);
      if (this.deleted.has(id)) continue;
      cores.push(generateCardCore(this.organization, pipe, index, this.overrides.get(id)));
    }
    for (const stored of this.storedCards.values()) {
      if (stored.core.pipeIndex === pipe.pipeIndex && !this.deleted.has(stored.core.id)) cores.push(this.storedCore(stored));
    }
    cores.sort((a, b) => a.createdMicros - b.createdMicros || Number(a.id) - Number(b.id));
    this.orderedCores.set(pipe.pipeIndex, cores);
    return cores;
  }

  /** Returns the cards of a pipe that match a predicate, cached under `key` until the next mutation. */
  filteredCardCores(pipe: PipeData, key: string, predicate: (core: CardCore) => boolean): CardCore[] {
    const cacheKey = `${pipe.pipeIndex}:${key}`;
    const cached = this.filteredCores.get(cacheKey);
    if (cached) return cached;
    const cores = this.cardCores(pipe).filter(predicate);
    if (this.filteredCores.size >= 64) this.filteredCores.clear();
    this.filteredCores.set(cacheKey, cores);
    return cores;
  }

  findCardCore(id: string): CardCore | undefined {
    const stored = this.storedCards.get(String(id));
    if (stored) return this.deleted.has(stored.core.id) ? undefined : this.storedCore(stored);
    const location = locateCardId(this.organization, String(id));
    if (!location || this.deleted.has(String(id))) return undefined;
    const pipe = this.organization.pipes[location.pipeIndex];
    if (location.index >= pipe.cardCount + this.createdPerPipe[location.pipeIndex]) return undefined;
    return generateCardCore(this.organization, pipe, location.index, this.overrides.get(String(id)));
  }

  buildCard(core: CardCore): CardData {
    const stored = this.storedCards.get(core.id);
    if (stored) return this.storedCard(stored);
    return buildCard(this.organization, core, this.overrides.get(core.id));
  }

  findCard(id: string): CardData | undefined {
    const core = this.findCardCore(id);
    return core ? this.buildCard(core) : undefined;
  }

  findRecord(id: string): RecordData | undefined {
    const location = locateRecordId(this.organization, String(id));
    if (!location) return undefined;
    const table = this.organization.tables[location.tableIndex];
    if (location.index >= table.recordCount) return undefined;
    return buildRecord(this.organization, table, location.index);
  }

  /** Sets a card's `updated_at` to `nowMs`. Returns the card, or undefined when it does not exist. */
  updateCard(id: string, nowMs: number, title?: string): CardData | undefined {
    if (!this.findCardCore(id)) return undefined;
    this.overrides.set(String(id), { ...this.overrides.get(String(id)), updatedMs: nowMs, ...(title ? { title } : {}) });
    this.invalidate();
    return this.findCard(id);
  }

  /** Creates a card in a pipe, created and updated at `nowMs`. */
  createCard(pipe: PipeData, nowMs: number, title?: string): CardData {
    const index = pipe.cardCount + this.createdPerPipe[pipe.pipeIndex];
    this.createdPerPipe[pipe.pipeIndex] += 1;
    const id = cardIdOf(this.organization, pipe.pipeIndex, index);
    this.overrides.set(id, { createdMs: nowMs, updatedMs: nowMs, ...(title ? { title } : {}) });
    this.invalidate();
    return this.findCard(id) as CardData;
  }

  /** Deletes a card. Returns false when it did not exist. */
  deleteCard(id: string): boolean {
    if (!this.findCardCore(id)) return false;
    this.deleted.add(String(id));
    this.invalidate();
    return true;
  }

  private storedCore(stored: StoredCard): CardCore {
    const override = this.overrides.get(stored.core.id);
    return override?.updatedMs === undefined ? stored.core : { ...stored.core, updatedMs: override.updatedMs };
  }

  /** Returns a stored card with the admin API's title and `updated_at` changes applied. */
  private storedCard(stored: StoredCard): CardData {
    const override = this.overrides.get(stored.core.id);
    if (!override) return stored.card;
    return {
      ...stored.card,
      ...(override.title ? { title: override.title } : {}),
      ...(override.updatedMs !== undefined ? { updated_at: formatIsoZ(override.updatedMs) } : {}),
    };
  }

  private invalidate(): void {
    this.orderedCores.clear();
    this.filteredCores.clear();
  }
}
