import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessTokenProvider } from '../activities/pipefy/access-token';
import { PipefyAuthError, PipefyTransientError } from '../activities/errors';
import { countSeed, generateOrganization, type RunningEmulator, startEmulator } from '../emulator';
import { syncPipefyWorkflow } from '../workflows';
import { rowCounts, type SyncStack, startSyncStack } from './support/sync-stack';
import { failureOf } from './support/workflow-failures';

const CLIENT_ID = 'sync-service-account';
const CLIENT_SECRET = 'service-account-secret-4f1c';
const WRONG_SECRET = 'wrong-secret-9a7e';

function tokenUrlOf(emulator: RunningEmulator): string {
  return new URL('/oauth/token', emulator.url).toString();
}

/** Returns a loopback port that nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('AccessTokenProvider', () => {
  let emulator: RunningEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({
      seed: { cardsPerPipe: 1, recordsPerTable: 1 },
      serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
      tokenExpiresInSeconds: 3600,
    });
  });

  afterAll(async () => {
    await emulator?.close();
  });

  function provider(clientSecret = CLIENT_SECRET, now: () => number = Date.now) {
    return new AccessTokenProvider({ serviceAccount: { clientId: CLIENT_ID, clientSecret, tokenUrl: tokenUrlOf(emulator) } }, now);
  }

  it('shares one token request among concurrent calls', async () => {
    const tokens = provider();
    const before = emulator.stats.tokenRequests;

    const results = await Promise.all(Array.from({ length: 8 }, () => tokens.getToken()));

    expect(emulator.stats.tokenRequests - before).toBe(1);
    expect(new Set(results).size).toBe(1);
  });

  it('reuses the cached token', async () => {
    const tokens = provider();
    const first = await tokens.getToken();
    const before = emulator.stats.tokenRequests;

    const second = await tokens.getToken();

    expect(second).toBe(first);
    expect(emulator.stats.tokenRequests - before).toBe(0);
  });

  it('refreshes the token before it expires', async () => {
    let nowMs = Date.now();
    const tokens = provider(CLIENT_SECRET, () => nowMs);
    const first = await tokens.getToken();
    const before = emulator.stats.tokenRequests;

    // The emulator's tokens live 3600 s, and the provider refreshes them 60 s before expiry.
    nowMs += 3_539_000;
    const cached = await tokens.getToken();
    nowMs += 2_000;
    const refreshed = await tokens.getToken();

    expect(cached).toBe(first);
    expect(refreshed).not.toBe(first);
    expect(emulator.stats.tokenRequests - before).toBe(1);
  });

  it('requests a new token after invalidate', async () => {
    const tokens = provider();
    const first = await tokens.getToken();

    tokens.invalidate();
    const second = await tokens.getToken();

    expect(second).not.toBe(first);
    expect(tokens.canRefresh).toBe(true);
  });

  it('returns a fixed token without requests', async () => {
    const tokens = new AccessTokenProvider({ token: 'personal-token' });
    const before = emulator.stats.tokenRequests;

    expect(await tokens.getToken()).toBe('personal-token');
    expect(tokens.canRefresh).toBe(false);
    expect(emulator.stats.tokenRequests - before).toBe(0);
  });

  it('rejects wrong client credentials', async () => {
    const error = await provider(WRONG_SECRET)
      .getToken()
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PipefyAuthError);
    expect((error as Error).message).toContain('check clientId and clientSecret');
    expect((error as Error).message).not.toContain(WRONG_SECRET);
  });

  it('reports an unreachable token endpoint as transient', async () => {
    const port = await closedPort();
    const tokens = new AccessTokenProvider({
      serviceAccount: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: `http://127.0.0.1:${port}/oauth/token` },
    });

    const error = await tokens.getToken().catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PipefyTransientError);
    expect((error as Error).message).not.toContain(CLIENT_SECRET);
  });
});

describe('sync with a service account', () => {
  const SEED = { cardsPerPipe: 60, recordsPerTable: 60 };
  /**
   * Short enough that a sync at 3 requests per second outlives several
   * tokens. The provider refreshes a token after half its lifetime, so a
   * request has 2 s to reach the emulator. With 2-second tokens that margin
   * was too small when several test files ran in parallel.
   */
  const TOKEN_LIFETIME_SECONDS = 4;

  let stack: SyncStack;

  beforeAll(async () => {
    stack = await startSyncStack({
      emulator: {
        seed: SEED,
        serviceAccounts: [{ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }],
        tokenExpiresInSeconds: TOKEN_LIFETIME_SECONDS,
      },
      serviceAccountConnections: {
        // About 30 requests at 1 per second outlive several 4-second tokens.
        sa: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, requestsPerSecond: 1 },
        'wrong-sa': { clientId: CLIENT_ID, clientSecret: WRONG_SECRET },
      },
    });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  function runSync(connection: string, prefix: string) {
    return stack.client.workflow.execute(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: stack.uniqueId(prefix),
      args: [{ connection }],
    });
  }

  it('loads every seeded row through refreshed tokens', async () => {
    const expected = countSeed(generateOrganization(SEED));
    const started = Date.now();

    const result = await runSync('sa', 'service-account');
    const elapsedSeconds = (Date.now() - started) / 1000;

    const warehouse = await stack.openWarehouse();
    const counts = await rowCounts(warehouse);
    await warehouse.close();
    for (const [table, count] of Object.entries(expected)) {
      expect({ table, rows: counts[table] ?? 0 }).toEqual({ table, rows: count });
    }
    expect(result.pipes).toBe(3);
    expect(result.tables).toBe(2);
    expect(stack.config.connections.sa.token).toBeUndefined();
    expect(elapsedSeconds).toBeGreaterThan(2 * TOKEN_LIFETIME_SECONDS);
    expect(stack.emulator.stats.tokensIssued).toBeGreaterThanOrEqual(2);
  });

  it('fails on wrong client credentials without retrying', async () => {
    const graphqlBefore = stack.emulator.stats.requests;
    const tokenBefore = stack.emulator.stats.tokenRequests;

    const failure = await failureOf(runSync('wrong-sa', 'wrong-service-account'));
    expect(failure.type).toBe('PipefyAuthError');
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('check clientId and clientSecret');
    expect(failure.message).not.toContain(WRONG_SECRET);
    expect(stack.emulator.stats.requests - graphqlBefore).toBe(0);
    // One activity attempt: the client asks for a token, and once more after the rejection.
    expect(stack.emulator.stats.tokenRequests - tokenBefore).toBeLessThanOrEqual(2);
  });
});
