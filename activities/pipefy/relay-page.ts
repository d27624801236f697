import { type ErrorContext, PipefyResponseError } from '../errors';

/** One validated page of a Relay connection. */
export interface RelayPage<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Cursor to pass as `after` for the next page; `null` on an empty last page. */
  endCursor: string | null;
}

/**
 * Checks a Relay connection object from a Pipefy response and returns its
 * nodes and paging state. Every resource pages through this function.
 *
 * @throws PipefyResponseError when the connection, `pageInfo`, `edges` or a
 *   node is missing or malformed, or when `hasNextPage` is true without an
 *   `endCursor` (paging on would loop forever or skip rows).
 */
export function readRelayPage<T>(connection: unknown, what: string, context: ErrorContext): RelayPage<T> {
  if (!isObject(connection)) {
    throw new PipefyResponseError(`Pipefy returned ${what} without a connection object.`, context);
  }

  const pageInfo = connection.pageInfo;
  if (!isObject(pageInfo) || typeof pageInfo.hasNextPage !== 'boolean') {
    throw new PipefyResponseError(`Pipefy returned ${what} without pageInfo.hasNextPage.`, context);
  }

  const endCursor = pageInfo.endCursor;
  if (endCursor !== null && endCursor !== undefined && typeof endCursor !== 'string') {
    throw new PipefyResponseError(`Pipefy returned ${what} with a non-string pageInfo.endCursor.`, context);
  }
  if (pageInfo.hasNextPage && !endCursor) {
    throw new PipefyResponseError(`Pipefy returned ${what} with hasNextPage true but no endCursor.`, context);
  }

  const edges = connection.edges;
  if (!Array.isArray(edges)) {
    throw new PipefyResponseError(`Pipefy returned ${what} without an edges list.`, context);
  }

  const nodes = edges.map((edge, index) => {
    if (!isObject(edge) || !isObject(edge.node)) {
      throw new PipefyResponseError(`Pipefy returned ${what} with an empty node at edge ${index}.`, context);
    }
    return edge.node as T;
  });

  return { nodes, hasNextPage: pageInfo.hasNextPage, endCursor: endCursor ?? null };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
