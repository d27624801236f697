import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_QUERIES, CARDS_PAGE_QUERY } from '../activities/pipefy/queries';
import { countSeed, generateOrganization, startEmulator, UNAUTHORIZED_BODY, type RunningEmulator } from '../emulator';

const TOKEN = 'emulator-token';

async function postGraphql(url: string, query: string, variables: Record<string, unknown> = {}, token: string | null = TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function queryJson(url: string, query: string, variables: Record<string, unknown> = {}, token: string = TOKEN) {
  const response = await postGraphql(url, query, variables, token);
  expect(response.status).toBe(200);
  return JSON.parse(response.text) as { data?: any; errors?: any[] };
}

const ALL_CARD_IDS_QUERY = `
  query Ids($pipeId: ID!, $first: Int, $after: String, $filter: AdvancedSearch) {
    allCards(pipeId: $pipeId, first: $first, after: $after, filter: $filter) {
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      edges { cursor node { id createdAt updated_at done } }
    }
  }
`;

async function pageAllCards(url: string, pipeId: string, first: number, filter?: unknown) {
  const ids: string[] = [];
  const pages: any[] = [];
  let after: string | null = null;
  for (let guard = 0; guard < 1000; guard += 1) {
    const body = await queryJson(url, ALL_CARD_IDS_QUERY, { pipeId, first, after, filter });
    expect(body.errors).toBeUndefined();
    const connection = body.data.allCards;
    pages.push(connection);
    ids.push(...connection.edges.map((edge: any) => edge.node.id));
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { ids, pages };
}

describe('emulator API', () => {
  let emulator: RunningEmulator;
  let pipeIds: string[];

  beforeAll(async () => {
    const organization = generateOrganization({ seed: 7, cardsPerPipe: 180 });
    pipeIds = organization.pipes.map((pipe) => pipe.id);
    emulator = await startEmulator({
      organization,
      hiddenPipes: { 'restricted-token': [pipeIds[2]] },
      tokens: [TOKEN, 'restricted-token'],
      serviceAccounts: [{ clientId: 'sync-client', clientSecret: 'sync-secret' }],
      tokenExpiresInSeconds: 60,
    });
  });

  afterAll(async () => {
    await emulator.close();
  });

  it('pages every card exactly once', async () => {
    const { ids, pages } = await pageAllCards(emulator.url, pipeIds[0], 50);
    expect(ids).toHaveLength(180);
    expect(new Set(ids).size).toBe(180);
    expect(pages).toHaveLength(4);
    expect(pages.slice(0, -1).every((page) => page.edges.length === 50)).toBe(true);
    const last = pages[pages.length - 1];
    expect(last.pageInfo.hasNextPage).toBe(false);
    expect(last.pageInfo.endCursor).toEqual(expect.any(String));
  });

  it('caps first above 50', async () => {
    const body = await queryJson(emulator.url, ALL_CARD_IDS_QUERY, { pipeId: pipeIds[0], first: 500 });
    expect(body.data.allCards.edges).toHaveLength(50);
    expect(body.data.allCards.pageInfo.hasNextPage).toBe(true);
  });

  it('orders cards by creation time', async () => {
    const { pages } = await pageAllCards(emulator.url, pipeIds[1], 50);
    const created = pages.flatMap((page) => page.edges.map((edge: any) => Date.parse(edge.node.createdAt)));
    expect([...created].sort((a, b) => a - b)).toEqual(created);
  });

  it('cursors use the real layout', async () => {
    const body = await queryJson(emulator.url, ALL_CARD_IDS_QUERY, { pipeId: pipeIds[0], first: 3 });
    for (const edge of body.data.allCards.edges) {
      expect(edge.cursor).toMatch(/^[A-Za-z0-9+/]+$/);
      const decoded = JSON.parse(Buffer.from(edge.cursor, 'base64').toString('utf8'));
      expect(decoded).toHaveLength(3);
      expect(decoded[0]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}000 UTC$/);
      expect(decoded[1]).toBe('1.0');
      expect(decoded[2]).toBe(Number(edge.node.id));
    }
    expect(body.data.allCards.pageInfo.endCursor).toBe(body.data.allCards.edges[2].cursor);
  });

  it('invalid cursor is a GraphQL error', async () => {
    const body = await queryJson(emulator.url, ALL_CARD_IDS_QUERY, { pipeId: pipeIds[0], first: 5, after: 'not-a-cursor' });
    expect(body.data.allCards).toBeNull();
    expect(body.errors?.[0].extensions.code).toBe('INVALID_INPUT');
    expect(body.errors?.[0].path).toEqual(['allCards']);
  });

  it('unknown pipe gives RESOURCE_NOT_FOUND', async () => {
    const body = await queryJson(emulator.url, 'query { pipe(id: 999) { id name } }');
    expect(body.data).toEqual({ pipe: null });
    expect(body.errors).toHaveLength(1);
    const [error] = body.errors!;
    expect(error.message).toBe('Pipe not found with id: 999');
    expect(error.path).toEqual(['pipe']);
    expect(error.locations).toEqual([{ line: 1, column: 9 }]);
    expect(error.extensions.code).toBe('RESOURCE_NOT_FOUND');
    expect(error.extensions.correlation_id).toEqual(expect.any(String));
  });

  it('unknown id in pipes list nulls one item', async () => {
    const body = await queryJson(emulator.url, 'query ($ids: [ID]!) { pipes(ids: $ids) { id } }', { ids: [pipeIds[0], '999'] });
    expect(body.data.pipes).toEqual([{ id: pipeIds[0] }, null]);
    expect(body.errors?.[0].path).toEqual(['pipes', 1]);
  });

  it('hidden pipe gives PERMISSION_DENIED', async () => {
    const body = await queryJson(emulator.url, 'query ($id: ID!) { pipe(id: $id) { id } }', { id: pipeIds[2] }, 'restricted-token');
    expect(body.data.pipe).toBeNull();
    expect(body.errors?.[0].message).toBe('Permission denied');
    expect(body.errors?.[0].extensions.code).toBe('PERMISSION_DENIED');
    const visible = await queryJson(emulator.url, 'query ($id: ID!) { pipe(id: $id) { id } }', { id: pipeIds[2] });
    expect(visible.data.pipe.id).toBe(pipeIds[2]);
  });

  it('updated_at filter selects a window', async () => {
    const { pages } = await pageAllCards(emulator.url, pipeIds[0], 50);
    const updated = pages.flatMap((page) => page.edges.map((edge: any) => edge.node.updated_at)).map((text: string) => Date.parse(text));
    const sorted = [...updated].sort((a, b) => a - b);
    const from = sorted[40];
    const to = sorted[120];
    const expected = updated.filter((ms) => ms >= from && ms < to).length;
    const filter = {
      field: 'updated_at',
      operator: 'gte',
      value: new Date(from).toISOString(),
      AND: [{ field: 'updated_at', operator: 'lt', value: new Date(to).toISOString().replace('Z', '+00:00') }],
    };
    const filtered = await pageAllCards(emulator.url, pipeIds[0], 50, filter);
    expect(filtered.ids).toHaveLength(expected);
    const either = await pageAllCards(emulator.url, pipeIds[0], 50, {
      OR: [
        { field: 'updated_at', operator: 'lt', value: new Date(from).toISOString() },
        { field: 'updated_at', operator: 'gte', value: new Date(to).toISOString() },
      ],
    });
    expect(either.ids.length + filtered.ids.length).toBe(180);
  });

  it('cards leaves done cards out by default', async () => {
    const query = 'query ($id: ID!, $search: CardSearch) { cards(pipe_id: $id, first: 50, search: $search) { edges { node { done } } } }';
    const withoutDone = await queryJson(emulator.url, query, { id: pipeIds[0] });
    expect(withoutDone.data.cards.edges.every((edge: any) => edge.node.done === false)).toBe(true);
    const { pages } = await pageAllCards(emulator.url, pipeIds[0], 50);
    const doneCount = pages.flatMap((page) => page.edges).filter((edge: any) => edge.node.done).length;
    expect(doneCount).toBeGreaterThan(0);
  });

  it('runs every connector query cleanly', async () => {
    const organization = emulator.state.organization;
    const variables: Record<string, Record<string, unknown>> = {
      PipefyOrganizations: {},
      PipefyPipes: { ids: pipeIds.slice(0, 2) },
      PipefyPipeChange: { id: pipeIds[0] },
      PipefyCardsPage: {
        pipeId: pipeIds[0],
        first: 50,
        after: null,
        filter: { field: 'updated_at', operator: 'gte', value: '2024-01-01T00:00:00Z' },
      },
      PipefyTablesPage: { organizationId: organization.organization.id, first: 50, after: null },
      PipefyTablesById: { ids: organization.tables.map((table) => table.id) },
      PipefyTableRecordsPage: { tableId: organization.tables[0].id, first: 50, after: null },
      PipefyCardIdsPage: { pipeId: organization.pipes[0].id, first: 50, after: null },
      PipefyTableRecordIdsPage: { tableId: organization.tables[0].id, first: 50, after: null },
    };
    expect(Object.keys(variables).sort()).toEqual(Object.keys(ALL_QUERIES).sort());
    for (const [name, query] of Object.entries(ALL_QUERIES)) {
      const body = await queryJson(emulator.url, query, variables[name]);
      expect(body.errors, name).toBeUndefined();
      expect(body.data, name).toBeTruthy();
    }
  });

  it('table records page with matchCount', async () => {
    const table = emulator.state.organization.tables[1];
    const body = await queryJson(emulator.url, ALL_QUERIES.PipefyTableRecordsPage, { tableId: table.id, first: 50 });
    expect(body.data.table_records.matchCount).toBe(table.recordCount);
    expect(body.data.table_records.edges).toHaveLength(50);
  });

  it('organization tables use offset cursors', async () => {
    const body = await queryJson(emulator.url, ALL_QUERIES.PipefyTablesPage, { organizationId: emulator.state.organization.organization.id, first: 1 });
    const tables = body.data.organization.tables;
    expect(tables.pageInfo.endCursor).toBe('MQ');
    expect(tables.pageInfo.hasNextPage).toBe(true);
    const next = await queryJson(emulator.url, ALL_QUERIES.PipefyTablesPage, {
      organizationId: emulator.state.organization.organization.id,
      first: 1,
      after: 'MQ',
    });
    expect(next.data.organization.tables.edges[0].node.id).toBe(emulator.state.organization.tables[1].id);
    expect(next.data.organization.tables.pageInfo.hasNextPage).toBe(false);
  });

  it('encodes field values like real responses', async () => {
    const { pages } = await (async () => {
      const collected: any[] = [];
      let after: string | null = null;
      for (;;) {
        const body = await queryJson(emulator.url, CARDS_PAGE_QUERY, { pipeId: pipeIds[0], first: 50, after });
        collected.push(body.data.allCards);
        if (!body.data.allCards.pageInfo.hasNextPage) break;
        after = body.data.allCards.pageInfo.endCursor;
      }
      return { pages: collected };
    })();
    const fields = pages.flatMap((page) => page.edges.flatMap((edge: any) => edge.node.fields));
    const byType = (type: string) => fields.filter((field: any) => field.field.type === type);

    expect(fields.every((field: any) => typeof field.value === 'string')).toBe(true);
    expect(byType('statement')).toHaveLength(0);
    expect(byType('id')).toHaveLength(0);
    expect(byType('currency').every((field: any) => /^\d{1,3}(\.\d{3})*,\d{2}$/.test(field.value))).toBe(true);
    expect(byType('currency').some((field: any) => field.value.includes('.'))).toBe(true);
    expect(byType('number').every((field: any) => /^\d+(\.\d+)?$/.test(field.value) && typeof field.float_value === 'number')).toBe(true);
    expect(byType('date').every((field: any) => /^\d{2}\/\d{2}\/\d{4}$/.test(field.value) && /^\d{4}-\d{2}-\d{2}$/.test(field.date_value))).toBe(true);
    expect(byType('datetime').every((field: any) => /^\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}$/.test(field.value))).toBe(true);
    expect(byType('time').every((field: any) => /^\d{2}:\d{2}$/.test(field.value))).toBe(true);
    const multi = fields.filter((field: any) => field.array_value && field.array_value.length >= 2);
    expect(multi.length).toBeGreaterThan(0);
    expect(multi.every((field: any) => field.value.includes('", "'))).toBe(true);
    const checklists = byType('checklist_vertical');
    expect(checklists.every((field: any) => JSON.stringify([...field.array_value].sort()) === JSON.stringify(field.array_value))).toBe(true);
    const connectors = byType('connector');
    expect(connectors.length).toBeGreaterThan(0);
    expect(connectors.every((field: any) => field.array_value.every((id: string) => /^\d+$/.test(id)))).toBe(true);
    expect(byType('attachment').every((field: any) => field.array_value.every((url: string) => /^https:\/\/app\.pipefy\.com\/storage\/v1\/signed\/uploads\/[0-9a-f-]{36}\/[^?]+\?expires_on=\d+&signature=[A-Za-z0-9%]+$/.test(url)))).toBe(true);
    expect(byType('short_text').every((field: any) => field.array_value === null && field.date_value === null && field.float_value === null)).toBe(true);

    const cards = pages.flatMap((page) => page.edges.map((edge: any) => edge.node));
    expect(cards.some((card: any) => card.createdAt.endsWith('Z'))).toBe(true);
    expect(cards.some((card: any) => card.createdAt.endsWith('-03:00'))).toBe(true);
    expect(cards.every((card: any) => card.phases_history.every((entry: any) => entry.firstTimeIn.endsWith('+00:00')))).toBe(true);
    expect(cards.some((card: any) => card.done && card.finished_at !== null)).toBe(true);
  });

  it('rejects a missing or invalid token with the exact body', async () => {
    for (const token of [null, 'wrong-token']) {
      const response = await postGraphql(emulator.url, '{ me { id } }', {}, token);
      expect(response.status).toBe(401);
      expect(response.text).toBe(UNAUTHORIZED_BODY);
      expect(JSON.parse(response.text).errors[0]).not.toHaveProperty('message');
    }
  });

  it('issues working OAuth tokens', async () => {
    const form = await fetch(emulator.url.replace('/graphql', '/oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=sync-client&client_secret=sync-secret',
    });
    expect(form.status).toBe(200);
    const issued = (await form.json()) as any;
    expect(issued.token_type).toBe('Bearer');
    expect(issued.expires_in).toBe(60);
    const body = await queryJson(emulator.url, '{ me { id } }', {}, issued.access_token);
    expect(body.data.me.id).toEqual(expect.any(String));

    const json = await fetch(emulator.url.replace('/graphql', '/oauth/token'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'sync-client', client_secret: 'wrong' }),
    });
    expect(json.status).toBe(401);
    expect(((await json.json()) as any).error).toBe('invalid_client');
  });

  it('rejects invalid queries as INVALID_INPUT', async () => {
    const body = await queryJson(emulator.url, '{ pipe(id: 1) { no_such_field } }');
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].extensions.code).toBe('INVALID_INPUT');
  });

  it('rejects queries above the complexity limit', async () => {
    const query = `query { a: allCards(pipeId: ${pipeIds[0]}, first: 50) { edges { node { ${'id title '.repeat(300)} } } } b: allCards(pipeId: ${pipeIds[0]}, first: 50) { edges { node { ${'uuid suid '.repeat(300)} } } } }`;
    const body = await queryJson(emulator.url, query);
    expect(body.errors?.[0].message).toMatch(/^Query has complexity of \d+, which exceeds max complexity of 50000$/);
  });

  it('mutations bump updated_at and show in filters', async () => {
    const cardId = emulator.state.cardCores(emulator.state.organization.pipes[0])[5].id;
    const response = await fetch(emulator.url.replace('/graphql', '/_emulator/mutate'), {
      method: 'POST',
      body: JSON.stringify({ action: 'update', cardId }),
    });
    expect(response.status).toBe(200);
    const filter = { field: 'updated_at', operator: 'gte', value: '2025-06-01T00:00:00Z' };
    const changed = await pageAllCards(emulator.url, pipeIds[0], 50, filter);
    expect(changed.ids).toEqual([cardId]);
  });

  it('injects faults and counts requests', async () => {
    const base = emulator.url.replace('/graphql', '');
    await fetch(`${base}/_emulator/reset-stats`, { method: 'POST', body: '{}' });
    await fetch(`${base}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'http500', count: 1 }) });
    const failed = await postGraphql(emulator.url, '{ me { id } }');
    expect(failed.status).toBe(500);

    await fetch(`${base}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'drop', count: 1 }) });
    await expect(postGraphql(emulator.url, '{ me { id } }')).rejects.toThrow();

    await fetch(`${base}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ kind: 'partial', count: 1 }) });
    const partial = await queryJson(emulator.url, ALL_CARD_IDS_QUERY, { pipeId: pipeIds[0], first: 5 });
    expect(partial.data.allCards.edges[4]).toBeNull();
    expect(partial.errors?.[0].path).toEqual(['allCards', 'edges', 4]);

    const stats = (await (await fetch(`${base}/_emulator/stats`)).json()) as any;
    expect(stats.requests).toBe(3);
    expect(stats.byOperation.Ids).toBe(1);
  });
});

describe('emulator throttling', () => {
  it('answers 429 with Retry-After past the budget', async () => {
    const emulator = await startEmulator({ seed: { cardsPerPipe: 10 }, budget: 5, windowSeconds: 2, blockSeconds: 1 });
    try {
      for (let index = 0; index < 5; index += 1) {
        expect((await postGraphql(emulator.url, '{ me { id } }')).status).toBe(200);
      }
      const throttled = await postGraphql(emulator.url, '{ me { id } }');
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(throttled.text).errors[0].extensions.code).toBe('TOO_MANY_REQUESTS');
      expect(emulator.stats.throttled).toBe(1);

      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await postGraphql(emulator.url, '{ me { id } }')).status).toBe(200);
    } finally {
      await emulator.close();
    }
  });
});

describe('seeded organization', () => {
  it('is deterministic', () => {
    const first = generateOrganization({ seed: 3 });
    const second = generateOrganization({ seed: 3 });
    expect(JSON.stringify(first.pipes.map((pipe) => pipe.start_form_fields.map((field) => field.id)))).toBe(
      JSON.stringify(second.pipes.map((pipe) => pipe.start_form_fields.map((field) => field.id))),
    );
    expect(countSeed(first)).toEqual(countSeed(second));
  });

  it('has the default sizes', () => {
    const started = performance.now();
    const organization = generateOrganization();
    const counts = countSeed(organization);
    expect(performance.now() - started).toBeLessThan(3000);
    expect(counts.cards).toBe(1200);
    expect(counts.tables).toBe(2);
    expect(counts.table_records).toBe(240);
    expect(counts.organization_members).toBe(12);
    expect(organization.tables.every((table) => /^[A-Za-z0-9]{8}$/.test(table.id) && /^\d+$/.test(table.internal_id))).toBe(true);
    expect(organization.pipes.every((pipe) => pipe.phases.length >= 4 && pipe.phases.length <= 6)).toBe(true);
    expect(organization.pipes.every((pipe) => pipe.phases.filter((phase) => phase.done).length === 1)).toBe(true);
  });

  it('generates large orgs lazily', () => {
    const started = performance.now();
    const organization = generateOrganization({ cardsPerPipe: 200_000 });
    expect(organization.pipes[0].cardCount).toBe(200_000);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('counts match what the API returns', async () => {
    const emulator = await startEmulator({ seed: { seed: 11, cardsPerPipe: 60, recordsPerTable: 30 } });
    try {
      const counts = countSeed(emulator.state.organization);
      let fields = 0;
      let relations = 0;
      for (const pipe of emulator.state.organization.pipes) {
        let after: string | null = null;
        for (;;) {
          const body = await queryJson(emulator.url, CARDS_PAGE_QUERY, { pipeId: pipe.id, first: 50, after });
          for (const edge of body.data.allCards.edges) {
            fields += edge.node.fields.length;
            for (const relation of [...edge.node.child_relations, ...edge.node.parent_relations]) relations += relation.cards.length;
          }
          if (!body.data.allCards.pageInfo.hasNextPage) break;
          after = body.data.allCards.pageInfo.endCursor;
        }
      }
      expect(fields).toBe(counts.card_fields);
      expect(relations).toBe(counts.card_relations);
      expect(relations).toBeGreaterThan(0);
    } finally {
      await emulator.close();
    }
  });
});
