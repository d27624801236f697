/**
 * Faults injected through `POST /_emulator/faults` for the next requests:
 * `http500` returns HTTP 500, `drop` destroys the socket without a response,
 * and `partial` executes the query, then sets the last element of the first
 * non-empty list in `data` to null (the root field when there is none) and
 * adds an INTERNAL_SERVER_ERROR entry at that path to `errors`.
 */
import { GraphQLError, type ExecutionResult } from 'graphql';

export type FaultKind = 'http500' | 'drop' | 'partial';

type Path = Array<string | number>;

function findFirstList(value: unknown, path: Path): Path | undefined {
  if (Array.isArray(value)) {
    if (value.length > 0 && value.some((item) => item !== null)) return path;
    return undefined;
  }
  if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const found = findFirstList(child, [...path, key]);
      if (found) return found;
    }
  }
  return undefined;
}

/** Returns a copy of the result with one value nulled and an error at its path. */
export function applyPartialFault(result: ExecutionResult): ExecutionResult {
  if (!result.data) return result;
  const data = structuredClone(result.data) as Record<string, unknown>;
  const listPath = findFirstList(data, []);
  let path: Path;
  if (listPath) {
    let list: any = data;
    for (const key of listPath) list = list[key];
    path = [...listPath, list.length - 1];
    list[list.length - 1] = null;
  } else {
    const rootField = Object.keys(data)[0];
    if (rootField === undefined) return result;
    path = [rootField];
    data[rootField] = null;
  }
  const error = new GraphQLError('Internal server error while resolving this field', { path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  return { data, errors: [...(result.errors ?? []), error] };
}
