/**
 * A local Pipefy GraphQL API over node's `http`, bound to 127.0.0.1 only.
 *
 * - `POST /graphql` with `{query, variables, operationName}` and
 *   `Authorization: Bearer <token>`.
 * - `POST /oauth/token`, the OAuth2 client-credentials grant of service accounts.
 * - `/_emulator/*`, admin endpoints for tests (no token): `GET stats`,
 *   `POST reset-stats`, `POST faults`, `POST mutate`.
 *
 * Response shapes where Pipefy's are undocumented:
 * - Validation and parse errors, invalid cursors and unsupported filters:
 *   HTTP 200, `errors[].extensions.code` `INVALID_INPUT`.
 * - Complexity above the limit: HTTP 200, no `data`, one error with code
 *   `INVALID_INPUT` and the message
 *   `Query has complexity of N, which exceeds max complexity of 50000`.
 * - Throttled: HTTP 429, `Retry-After: <seconds>` and
 *   `{"errors":[{"message":"Too many requests: the request budget of this token is exhausted. Retry after N seconds.","extensions":{"code":"TOO_MANY_REQUESTS","retry_after":N}}]}`.
 * - Fault `http500`: HTTP 500 with `{"errors":[{"message":"Internal server error"}]}`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  execute,
  GraphQLError,
  Kind,
  parse,
  validate,
  type DocumentNode,
  type ExecutionResult,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { DEFAULT_MAX_COMPLEXITY, queryComplexity } from './complexity';
import type { EmulatorContext } from './context';
import { RateLimiter } from './rate-limiter';
import { buildEmulatorSchema } from './schema';
import { generateOrganization } from './seed';
import type { SeedOptions, SeedOrganization } from './seed-types';
import { EmulatorState } from './state';
import { applyPartialFault, type FaultKind } from './faults';

/** A service account for the client-credentials grant. */
export interface ServiceAccount {
  clientId: string;
  clientSecret: string;
}

/** Options of {@link startEmulator}. */
export interface EmulatorOptions {
  /** TCP port; 0 (the default) picks a free port. */
  port?: number;
  /** Interface to bind; default 127.0.0.1. A container binds 0.0.0.0 inside its own network. */
  host?: string;
  /** Options of the seeded organization, used when `organization` is absent. */
  seed?: SeedOptions;
  /** A ready organization, for sharing one between emulators. */
  organization?: SeedOrganization;
  /** Valid bearer tokens. Default `['emulator-token']`. */
  tokens?: string[];
  /** Service accounts that may request tokens at `/oauth/token`. Default none. */
  serviceAccounts?: ServiceAccount[];
  /** Lifetime of tokens issued by `/oauth/token`, in seconds. Default 3600. */
  tokenExpiresInSeconds?: number;
  /** Requests per window per token; 0 or Infinity turns throttling off. Default 500. */
  budget?: number;
  /** Length of the sliding window, in seconds. Default 30. */
  windowSeconds?: number;
  /** How long a token stays blocked after exceeding its budget, in seconds. Default 300. */
  blockSeconds?: number;
  /** Maximum query complexity. Default 50,000. */
  maxComplexity?: number;
  /** Pipe ids each token may not read (token → ids); those requests get PERMISSION_DENIED. */
  hiddenPipes?: Record<string, string[]>;
  /** The emulator clock in epoch milliseconds, used for throttling, token expiry and mutations. Default `Date.now`. */
  now?: () => number;
}

/** Request counters returned by `GET /_emulator/stats`. */
export interface EmulatorStats {
  /** Every `POST /graphql`, throttled and unauthorized ones included. */
  requests: number;
  /** Requests rejected with HTTP 429. */
  throttled: number;
  /** Executed requests per operation name (`anonymous` when unnamed). */
  byOperation: Record<string, number>;
  /** Every `POST /oauth/token`, rejected ones included. */
  tokenRequests: number;
  /** Access tokens issued by `/oauth/token`. */
  tokensIssued: number;
}

export interface RunningEmulator {
  /** The GraphQL endpoint, `http://127.0.0.1:<port>/graphql`. */
  url: string;
  port: number;
  state: EmulatorState;
  stats: EmulatorStats;
  close(): Promise<void>;
}

/** The exact body Pipefy documents for a missing, invalid or expired token. */
export const UNAUTHORIZED_BODY = '{"errors":[{"title":"Unauthorized","detail":"You are not authorized to access this page"}]}';

const MAX_BODY_BYTES = 1_000_000;

class HttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`HTTP ${status}`);
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  response.end(text);
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, { errors: [{ message: `Request body exceeds ${MAX_BODY_BYTES} bytes` }] });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonObject(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text || '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below as a 400.
  }
  throw new HttpError(400, { errors: [{ message: 'Invalid request body: expected a JSON object', extensions: { code: 'INVALID_INPUT' } }] });
}

function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}

interface ParsedDocument {
  document?: DocumentNode;
  errors?: readonly GraphQLError[];
}

function invalidInput(errors: readonly GraphQLError[]): GraphQLError[] {
  return errors.map((error) => new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, extensions: { ...error.extensions, code: 'INVALID_INPUT' } }));
}

/**
 * Starts the emulator on 127.0.0.1 and resolves when it listens.
 * Each call has its own state, counters and token store.
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const now = options.now ?? Date.now;
  const organization = options.organization ?? generateOrganization(options.seed);
  const state = new EmulatorState(organization, options.hiddenPipes);
  const schema: GraphQLSchema = buildEmulatorSchema();
  const staticTokens = new Set(options.tokens ?? ['emulator-token']);
  const issuedTokens = new Map<string, number>();
  const serviceAccounts = options.serviceAccounts ?? [];
  const expiresIn = options.tokenExpiresInSeconds ?? 3600;
  const maxComplexity = options.maxComplexity ?? DEFAULT_MAX_COMPLEXITY;
  const limiter = new RateLimiter({
    budget: options.budget ?? 500,
    windowSeconds: options.windowSeconds ?? 30,
    blockSeconds: options.blockSeconds ?? 300,
  });
  const stats: EmulatorStats = { requests: 0, throttled: 0, byOperation: {}, tokenRequests: 0, tokensIssued: 0 };
  const faults: FaultKind[] = [];
  const documents = new Map<string, ParsedDocument>();

  const isValidToken = (token: string | undefined): token is string => {
    if (!token) return false;
    if (staticTokens.has(token)) return true;
    const expiresAt = issuedTokens.get(token);
    return expiresAt !== undefined && now() < expiresAt;
  };

  const parseAndValidate = (query: string): ParsedDocument => {
    const cached = documents.get(query);
    if (cached) return cached;
    let parsed: ParsedDocument;
    try {
      const document = parse(query);
      const errors = validate(schema, document);
      parsed = errors.length ? { errors: invalidInput(errors) } : { document };
    } catch (error) {
      parsed = { errors: invalidInput([error as GraphQLError]) };
    }
    if (documents.size > 500) documents.clear();
    documents.set(query, parsed);
    return parsed;
  };

  const formatResult = (result: ExecutionResult, correlationId: string) => {
    const body: Record<string, unknown> = {};
    if (result.errors?.length) {
      body.errors = result.errors.map((error) => {
        const formatted = error.toJSON();
        const code = (error.extensions?.code as string | undefined) ?? (error.originalError ? 'INTERNAL_SERVER_ERROR' : 'INVALID_INPUT');
        return { ...formatted, extensions: { ...formatted.extensions, code, correlation_id: correlationId } };
      });
    }
    if (result.data !== undefined) body.data = result.data;
    return body;
  };

  const handleGraphql = async (request: IncomingMessage, response: ServerResponse) => {
    stats.requests += 1;
    const token = bearerToken(request);
    if (!isValidToken(token)) {
      sendJson(response, 401, UNAUTHORIZED_BODY);
      return;
    }
    const decision = limiter.take(token, now());
    if (!decision.allowed) {
      stats.throttled += 1;
      sendJson(
        response,
        429,
        {
          errors: [
            {
              message: `Too many requests: the request budget of this token is exhausted. Retry after ${decision.retryAfterSeconds} seconds.`,
              extensions: { code: 'TOO_MANY_REQUESTS', retry_after: decision.retryAfterSeconds },
            },
          ],
        },
        { 'retry-after': String(decision.retryAfterSeconds) },
      );
      return;
    }

    const fault = faults.shift();
    if (fault === 'drop') {
      request.socket.destroy();
      return;
    }
    if (fault === 'http500') {
      sendJson(response, 500, { errors: [{ message: 'Internal server error' }] });
      return;
    }

    const body = parseJsonObject(await readBody(request));
    const correlationId = randomUUID();
    if (typeof body.query !== 'string') {
      sendJson(response, 200, { errors: [{ message: "Missing 'query' in the request body", extensions: { code: 'INVALID_INPUT', correlation_id: correlationId } }] });
      return;
    }
    const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
    const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;

    const parsed = parseAndValidate(body.query);
    if (!parsed.document) {
      sendJson(response, 200, formatResult({ errors: parsed.errors }, correlationId));
      return;
    }
    const operations = parsed.document.definitions.filter((definition): definition is OperationDefinitionNode => definition.kind === Kind.OPERATION_DEFINITION);
    const operation = operationName ? operations.find((candidate) => candidate.name?.value === operationName) : operations[0];
    const operationKey = operation?.name?.value ?? operationName ?? 'anonymous';
    stats.byOperation[operationKey] = (stats.byOperation[operationKey] ?? 0) + 1;

    if (operation) {
      const fragments: Record<string, FragmentDefinitionNode> = {};
      for (const definition of parsed.document.definitions) {
        if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments[definition.name.value] = definition;
      }
      const complexity = queryComplexity(schema, operation, fragments, variables);
      if (complexity > maxComplexity) {
        const error = new GraphQLError(`Query has complexity of ${complexity}, which exceeds max complexity of ${maxComplexity}`, {
          extensions: { code: 'INVALID_INPUT' },
        });
        sendJson(response, 200, formatResult({ errors: [error] }, correlationId));
        return;
      }
    }

    const context: EmulatorContext = { state, token, correlationId };
    const result = await execute({ schema, document: parsed.document, variableValues: variables, operationName, contextValue: context });
    const finalResult = fault === 'partial' ? applyPartialFault(result) : result;
    sendJson(response, 200, formatResult(finalResult, correlationId));
  };

  const handleOauth = async (request: IncomingMessage, response: ServerResponse) => {
    stats.tokenRequests += 1;
    const text = await readBody(request);
    const isJson = (request.headers['content-type'] ?? '').includes('json');
    const fields: Record<string, unknown> = isJson ? parseJsonObject(text) : Object.fromEntries(new URLSearchParams(text));
    if (fields.grant_type !== 'client_credentials') {
      sendJson(response, 400, { error: 'unsupported_grant_type', error_description: "grant_type must be 'client_credentials'" });
      return;
    }
    const account = serviceAccounts.find((candidate) => candidate.clientId === fields.client_id && candidate.clientSecret === fields.client_secret);
    if (!account) {
      sendJson(response, 401, { error: 'invalid_client', error_description: 'Client authentication failed: unknown client_id or wrong client_secret' });
      return;
    }
    const accessToken = `emu_${randomBytes(24).toString('hex')}`;
    issuedTokens.set(accessToken, now() + expiresIn * 1000);
    stats.tokensIssued += 1;
    sendJson(response, 200, { access_token: accessToken, token_type: 'Bearer', expires_in: expiresIn, created_at: Math.floor(now() / 1000) });
  };

  const handleAdmin = async (path: string, request: IncomingMessage, response: ServerResponse) => {
    if (path === '/_emulator/stats' && request.method === 'GET') {
      sendJson(response, 200, stats);
      return;
    }
    if (request.method !== 'POST') throw new HttpError(405, { errors: [{ message: `Method ${request.method} is not allowed on ${path}` }] });
    const body = parseJsonObject(await readBody(request));
    if (path === '/_emulator/reset-stats') {
      stats.requests = 0;
      stats.throttled = 0;
      stats.byOperation = {};
      stats.tokenRequests = 0;
      stats.tokensIssued = 0;
      sendJson(response, 200, stats);
      return;
    }
    if (path === '/_emulator/faults') {
      const kind = body.kind as FaultKind;
      const count = body.count === undefined ? 1 : Number(body.count);
      if (!['http500', 'drop', 'partial'].includes(kind) || !Number.isInteger(count) || count < 0) {
        throw new HttpError(400, { errors: [{ message: "Invalid fault: expected {kind: 'http500' | 'drop' | 'partial', count: integer >= 0}" }] });
      }
      for (let index = 0; index < count; index += 1) faults.push(kind);
      sendJson(response, 200, { pending: faults.length });
      return;
    }
    if (path === '/_emulator/mutate') {
      sendJson(response, 200, mutate(state, body, now()));
      return;
    }
    throw new HttpError(404, { errors: [{ message: `No admin endpoint at ${path}` }] });
  };

  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    const handle = async () => {
      if (path === '/graphql' && request.method === 'POST') return handleGraphql(request, response);
      if (path === '/oauth/token' && request.method === 'POST') return handleOauth(request, response);
      if (path.startsWith('/_emulator/')) return handleAdmin(path, request, response);
      throw new HttpError(404, { errors: [{ message: `No route for ${request.method} ${path}; POST /graphql is the API` }] });
    };
    handle().catch((error: unknown) => {
      if (response.headersSent || request.socket.destroyed) return;
      if (error instanceof HttpError) sendJson(response, error.status, error.body);
      else sendJson(response, 500, { errors: [{ message: `Emulator failure: ${(error as Error).message}` }] });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/graphql`,
    port,
    state,
    stats,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

function mutate(state: EmulatorState, body: Record<string, unknown>, nowMs: number) {
  const title = typeof body.title === 'string' ? body.title : undefined;
  const summary = (card: { id: string; createdAt: string; updated_at: string; pipe: { id: string } }) => ({
    card: { id: card.id, pipeId: card.pipe.id, createdAt: card.createdAt, updated_at: card.updated_at },
  });
  switch (body.action) {
    case 'create': {
      const pipe = state.findPipe(String(body.pipeId));
      if (!pipe) throw new HttpError(404, { errors: [{ message: `Pipe not found with id: ${String(body.pipeId)}` }] });
      return summary(state.createCard(pipe, nowMs, title));
    }
    case 'update': {
      const card = state.updateCard(String(body.cardId), nowMs, title);
      if (!card) throw new HttpError(404, { errors: [{ message: `Card not found with id: ${String(body.cardId)}` }] });
      return summary(card);
    }
    case 'delete': {
      if (!state.deleteCard(String(body.cardId))) throw new HttpError(404, { errors: [{ message: `Card not found with id: ${String(body.cardId)}` }] });
      return { deleted: String(body.cardId) };
    }
    default:
      throw new HttpError(400, { errors: [{ message: "Invalid action: expected 'create' (with pipeId), 'update' or 'delete' (with cardId)" }] });
  }
}
