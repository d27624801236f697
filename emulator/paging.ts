/**
 * Relay paging as Pipefy serves it: forward paging with `first` and `after`,
 * at most 50 items per page, and opaque cursors.
 *
 * Choices where Pipefy's behaviour is undocumented:
 * - `first` above 50 is capped to 50 silently, not rejected. Pipefy states 50
 *   as the maximum page size but not what happens above it.
 * - `first` absent means 50; a negative `first` is an INVALID_INPUT error.
 * - An empty page after a valid `after` returns that cursor as `endCursor`,
 *   so a client that stores `endCursor` can resume from it later.
 * - `last` and `before` are rejected with INVALID_INPUT: the connector only
 *   pages forward.
 */
import { invalidInputError } from './errors';
import { formatCursorTimestamp, parseCursorTimestamp } from './time-format';

export const MAX_PAGE_SIZE = 50;

/** A position in a list ordered by creation time and then id. */
export interface KeysetPosition {
  createdMicros: number;
  id: number;
}

export interface PagingArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

export interface Connection<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
  totalCount: number;
}

function toBase64Unpadded(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replace(/=+$/, '');
}

function fromBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

/** Returns the page size for `first`: 50 when absent, capped at 50. */
export function pageSize(args: PagingArgs): number {
  if (args.last != null || args.before != null) {
    throw invalidInputError('Backward paging (last/before) is not supported; page forward with first and after.');
  }
  if (args.first == null) return MAX_PAGE_SIZE;
  if (args.first < 0) throw invalidInputError(`Argument 'first' must be 0 or more, got ${args.first}.`);
  return Math.min(args.first, MAX_PAGE_SIZE);
}

/** Encodes a card cursor: unpadded base64 of `["2024-08-06 16:53:24.950123000 UTC","1.0",970468252]`. */
export function encodeKeysetCursor(position: KeysetPosition): string {
  return toBase64Unpadded(JSON.stringify([formatCursorTimestamp(position.createdMicros), '1.0', position.id]));
}

/** Decodes a card cursor, or throws INVALID_INPUT naming the cursor. */
export function decodeKeysetCursor(cursor: string): KeysetPosition {
  const invalid = () => invalidInputError(`Invalid cursor for argument 'after': ${JSON.stringify(cursor)}. Pass a pageInfo.endCursor from an earlier page.`);
  const json = fromBase64(cursor);
  if (json === undefined) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || typeof parsed[0] !== 'string' || typeof parsed[2] !== 'number') {
    throw invalid();
  }
  const createdMicros = parseCursorTimestamp(parsed[0]);
  if (createdMicros === undefined || !Number.isSafeInteger(parsed[2])) throw invalid();
  return { createdMicros, id: parsed[2] };
}

/** Encodes an offset cursor, as `organization.tables` uses: base64 of the 1-based position (`MQ` is 1). */
export function encodeOffsetCursor(position: number): string {
  return toBase64Unpadded(String(position));
}

export function decodeOffsetCursor(cursor: string): number {
  const text = fromBase64(cursor);
  if (text === undefined || !/^\d+$/.test(text)) {
    throw invalidInputError(`Invalid cursor for argument 'after': ${JSON.stringify(cursor)}. Pass a pageInfo.endCursor from an earlier page.`);
  }
  return Number(text);
}

function compareKeyset(a: KeysetPosition, b: KeysetPosition): number {
  return a.createdMicros - b.createdMicros || a.id - b.id;
}

/**
 * Returns one page of a list sorted by (createdMicros, id). `build` turns a
 * list item into the node; it runs only for the items on the page.
 */
export function keysetPage<T, N>(
  items: readonly T[],
  positionOf: (item: T) => KeysetPosition,
  build: (item: T) => N,
  args: PagingArgs,
): Connection<N> {
  const size = pageSize(args);
  let start = 0;
  if (args.after != null) {
    const after = decodeKeysetCursor(args.after);
    let low = 0;
    let high = items.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (compareKeyset(positionOf(items[middle]), after) <= 0) low = middle + 1;
      else high = middle;
    }
    start = low;
  }
  const slice = items.slice(start, start + size);
  const edges = slice.map((item) => ({ cursor: encodeKeysetCursor(positionOf(item)), node: build(item) }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? args.after ?? null,
    },
    totalCount: items.length,
  };
}

/** Returns one page of a list paged by offset cursors. */
export function offsetPage<T>(items: readonly T[], args: PagingArgs): Connection<T> {
  const size = pageSize(args);
  const start = args.after != null ? decodeOffsetCursor(args.after) : 0;
  const edges = items.slice(start, start + size).map((node, index) => ({ cursor: encodeOffsetCursor(start + index + 1), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: start + size < items.length,
      hasPreviousPage: start > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? args.after ?? null,
    },
    totalCount: items.length,
  };
}
