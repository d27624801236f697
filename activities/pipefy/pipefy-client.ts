import { ClientError, GraphQLClient } from 'graphql-request';
import {
  type ErrorContext,
  PipefyAuthError,
  PipefyNotFoundError,
  PipefyPermissionError,
  PipefyQueryError,
  PipefyRateLimitError,
  PipefyResponseError,
  PipefyTransientError,
} from '../errors';
import { AccessTokenProvider, type ServiceAccountCredentials } from './access-token';

export interface PipefyClientOptions {
  apiUrl: string;
  token?: string;
  serviceAccount?: ServiceAccountCredentials;
  requestTimeoutSeconds: number;
  /** Connection name, for error messages; never the token. */
  connection: string;
  /** Called once per HTTP request with its outcome, for metrics. */
  onRequest?: (operation: string, outcome: 'ok' | 'throttled' | 'failed') => void;
}

interface GraphqlErrorEntry {
  message?: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string };
}

/** Wait used when a 429 response has no usable `Retry-After`: Pipefy blocks a token for about 5 minutes. */
export const DEFAULT_RETRY_AFTER_SECONDS = 300;

/**
 * Sends queries to Pipefy's GraphQL API and turns every failure into one of
 * the project's error classes. This is the only place that decides whether a
 * Pipefy failure is retryable.
 *
 * Partial data policy: a response whose `errors` array is not empty fails as a
 * whole, even when `data` is partly filled, so a page is either loaded
 * complete or not at all. Not-found and permission codes become
 * non-retryable errors; any other entry is retried as a malformed answer.
 */
export class PipefyClient {
  private readonly client: GraphQLClient;
  private readonly tokens: AccessTokenProvider;

  constructor(private readonly options: PipefyClientOptions) {
    this.tokens = new AccessTokenProvider({ token: options.token, serviceAccount: options.serviceAccount });
    this.client = new GraphQLClient(options.apiUrl, { errorPolicy: 'all' });
  }

  /**
   * Runs one query and returns its `data`.
   *
   * @throws PipefyAuthError, PipefyPermissionError, PipefyNotFoundError,
   *   PipefyQueryError (non-retryable); PipefyRateLimitError,
   *   PipefyTransientError, PipefyResponseError (retryable).
   */
  async query<T>(document: string, variables: Record<string, unknown>, context: ErrorContext = {}): Promise<T> {
    const fullContext = { connection: this.options.connection, ...context };
    try {
      return await this.send<T>(document, variables, fullContext);
    } catch (error) {
      // A service-account token can expire between the cache check and the request.
      if (error instanceof PipefyAuthError && this.tokens.canRefresh) {
        this.tokens.invalidate();
        return this.send<T>(document, variables, fullContext);
      }
      throw error;
    }
  }

  private async send<T>(document: string, variables: Record<string, unknown>, context: ErrorContext): Promise<T> {
    const token = await this.tokens.getToken();
    const operation = /query\s+(\w+)/.exec(document)?.[1] ?? 'anonymous';
    let response: Awaited<ReturnType<GraphQLClient['rawRequest']>>;
    try {
      response = await this.client.rawRequest<T>({
        query: document,
        variables,
        requestHeaders: { authorization: `Bearer ${token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.options.requestTimeoutSeconds * 1000),
      });
    } catch (error) {
      const failure = this.translateFailure(error, context);
      this.options.onRequest?.(operation, failure instanceof PipefyRateLimitError ? 'throttled' : 'failed');
      throw failure;
    }
    this.options.onRequest?.(operation, response.errors?.length ? 'failed' : 'ok');

    const errors = (response.errors ?? []) as GraphqlErrorEntry[];
    if (errors.length > 0) throw classifyGraphqlErrors(errors, context);
    if (response.data === undefined || response.data === null) {
      throw new PipefyResponseError(`Pipefy responded with HTTP ${response.status} and no data.`, context);
    }
    return response.data as T;
  }

  private translateFailure(error: unknown, context: ErrorContext): Error {
    if (!(error instanceof ClientError)) {
      const message = error instanceof Error ? error.message : String(error);
      return new PipefyTransientError(`Request to ${this.options.apiUrl} failed: ${message}.`, context);
    }

    const { status, headers } = error.response;
    if (status === 401) {
      return new PipefyAuthError(
        `Pipefy rejected the token of connection "${this.options.connection}" (HTTP 401 Unauthorized); ` +
          'check that the token is valid and not expired, and that it is sent to the right API URL.',
        context,
      );
    }
    if (status === 403) {
      return new PipefyPermissionError(
        `Pipefy denied access for connection "${this.options.connection}" (HTTP 403); the token's user needs admin rights on the pipe or database.`,
        context,
      );
    }
    if (status === 429) {
      const retryAfter = parseRetryAfter(headers.get('retry-after'));
      return new PipefyRateLimitError(
        `Pipefy throttled connection "${this.options.connection}" (HTTP 429); waiting ${retryAfter} s before the next request.`,
        retryAfter,
        context,
      );
    }
    const errors = (error.response.errors ?? []) as GraphqlErrorEntry[];
    if (status === 200 && errors.length > 0) return classifyGraphqlErrors(errors, context);

    return new PipefyTransientError(`Pipefy responded with HTTP ${status}.`, context);
  }
}

/** Reads `Retry-After` as seconds or an HTTP date; falls back to Pipefy's block time. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number {
  if (!value) return DEFAULT_RETRY_AFTER_SECONDS;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, Math.ceil((date - now) / 1000));
  return DEFAULT_RETRY_AFTER_SECONDS;
}

const NOT_FOUND_CODES = new Set(['RESOURCE_NOT_FOUND', 'NOT_FOUND', 'RECORD_NOT_FOUND']);
const PERMISSION_CODES = new Set(['PERMISSION_DENIED', 'FORBIDDEN', 'UNAUTHORIZED', 'INVALID_ROLE']);
const QUERY_CODES = new Set(['INVALID_INPUT', 'GRAPHQL_VALIDATION_FAILED', 'missingRequiredInputObjectAttribute']);

/** Turns a GraphQL `errors` array into one error, the most severe kind first. */
export function classifyGraphqlErrors(errors: GraphqlErrorEntry[], context: ErrorContext): Error {
  const summary = errors
    .slice(0, 3)
    .map((entry) => {
      const where = entry.path ? ` at ${entry.path.join('.')}` : '';
      const code = entry.extensions?.code ? ` [${entry.extensions.code}]` : '';
      return `${entry.message ?? 'no message'}${code}${where}`;
    })
    .join('; ');
  const codes = errors.map((entry) => entry.extensions?.code ?? '');

  if (codes.some((code) => PERMISSION_CODES.has(code))) {
    return new PipefyPermissionError(
      `Pipefy denied access: ${summary}. Give the token's user access to the pipe or database, or leave its id out of the sync.`,
      context,
    );
  }
  if (codes.some((code) => NOT_FOUND_CODES.has(code))) {
    return new PipefyNotFoundError(`Pipefy does not know this id: ${summary}. Check the id in Pipefy's URL.`, context);
  }
  if (codes.some((code) => QUERY_CODES.has(code))) {
    return new PipefyQueryError(`Pipefy rejected the query: ${summary}.`, context);
  }
  return new PipefyResponseError(`Pipefy responded with errors: ${summary}.`, context);
}
