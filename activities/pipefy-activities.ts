import { log } from '@temporalio/activity';
import { PipefyNotFoundError, PipefyPermissionError, PipefyResponseError } from './errors';
import { reportFailures } from './failures';
import type { PipefyClient } from './pipefy/pipefy-client';
import {
  CARD_IDS_PAGE_QUERY,
  CARDS_PAGE_QUERY,
  ORGANIZATIONS_QUERY,
  PAGE_SIZE,
  PIPES_QUERY,
  TABLE_RECORD_IDS_PAGE_QUERY,
  TABLE_RECORDS_PAGE_QUERY,
  TABLES_PAGE_QUERY,
} from './pipefy/queries';
import { type RelayPage, readRelayPage } from './pipefy/relay-page';
import type { StagingStore } from './staging';
import type { TableRows } from './destinations/destination';
import { type ApiCard, normalizeCards } from './warehouse/normalize-cards';
import {
  type ApiOrganization,
  type ApiPipe,
  type ApiTable,
  normalizeOrganizations,
  normalizePipes,
  normalizeTables,
} from './warehouse/normalize-metadata';
import { type ApiTableRecord, normalizeTableRecords } from './warehouse/normalize-records';

/** Pipes per `pipes(ids:)` request; each pipe carries its phases and field definitions. */
const PIPES_PER_REQUEST = 10;

export interface PipefyActivityDependencies {
  /** Returns the client of a named connection; throws ConfigurationError for unknown names. */
  clientFor(connection: string): PipefyClient;
  staging: StagingStore;
}

export interface PlanSyncInput {
  connection: string;
  /** Load id of the metadata batch. */
  loadId: string;
  /** Pipe ids to sync; all visible pipes when empty. */
  pipeIds: string[];
  /** Database ids to sync; all visible databases when empty. */
  tableIds: string[];
  /** Whether databases are wanted at all (skips their listing when false). */
  includeTables: boolean;
}

export interface PlanSyncResult {
  organizationIds: string[];
  pipes: { id: string; cardsCount: number | null; lastUpdatedByCard: string | null }[];
  tables: { id: string; recordsCount: number | null }[];
  stagedName: string;
  rowsByTable: Record<string, number>;
  /** Pipes the organization lists but the token may not read; skipped when the input names no pipes. */
  skippedPipeIds: string[];
  requests: number;
}

export interface FetchPageInput {
  connection: string;
  loadId: string;
  /** `after` cursor; `null` for the first page. */
  after: string | null;
}

export interface FetchCardsPageInput extends FetchPageInput {
  pipeId: string;
  /** Cards updated at or after this ISO time; `null` for all. */
  updatedFrom: string | null;
  /** Cards updated at or before this ISO time; `null` for no upper bound. */
  updatedTo: string | null;
}

export interface FetchTableRecordsPageInput extends FetchPageInput {
  tableId: string;
}

export interface FetchIdsPageInput extends FetchPageInput {
  resource: 'cards' | 'table_records';
  /** Pipe id or database id. */
  scopeId: string;
}

export interface FetchIdsPageResult {
  stagedName: string;
  ids: number;
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface FetchPageResult {
  stagedName: string;
  /** Items (cards or records) in the page. */
  items: number;
  rowsByTable: Record<string, number>;
  hasNextPage: boolean;
  endCursor: string | null;
  /** Latest `updated_at` in the page, ISO UTC; `null` when the page is empty. */
  maxUpdatedAt: string | null;
}

/**
 * Activities that talk to Pipefy. Each page activity sends exactly one
 * request, so the rate limit of their task queue is the token's request
 * budget. They normalize the response and stage the rows under the load id;
 * only counts and cursors go back into workflow history.
 */
export function createPipefyActivities(deps: PipefyActivityDependencies) {
  async function stage(loadId: string, tables: TableRows[]): Promise<{ stagedName: string; rowsByTable: Record<string, number> }> {
    const stagedName = await deps.staging.write(loadId, tables);
    return { stagedName, rowsByTable: countRows(tables) };
  }

  /** Stages a page's rows and returns what the workflow needs: counts and the paging state. */
  async function stagePage(
    loadId: string,
    page: RelayPage<{ updated_at?: string | null }>,
    tables: TableRows[],
  ): Promise<FetchPageResult> {
    return {
      ...(await stage(loadId, tables)),
      items: page.nodes.length,
      hasNextPage: page.hasNextPage,
      endCursor: page.endCursor,
      maxUpdatedAt: latest(page.nodes.map((node) => node.updated_at)),
    };
  }

  return {
    /**
     * Lists what the token can see (organizations, pipes with phases and
     * fields, databases), checks the requested ids against it, and stages
     * the metadata tables. Sends 1 request, plus one per 50 databases per
     * organization and one per 10 pipes.
     *
     * @throws PipefyNotFoundError listing the visible ids when a requested id is unknown.
     */
    async planSync(input: PlanSyncInput): Promise<PlanSyncResult> {
      return reportFailures(async () => {
        const client = deps.clientFor(input.connection);
        const context = { connection: input.connection, resource: 'metadata' };
        let requests = 0;

        const organizationsData = await client.query<{ organizations: ApiOrganization[] | null }>(ORGANIZATIONS_QUERY, {}, context);
        requests += 1;
        const organizations = (organizationsData.organizations ?? []).filter((organization) => organization?.id);

        const visiblePipeIds = organizations.flatMap((organization) =>
          (organization.pipes ?? []).map((pipe) => pipe?.id).filter((id): id is string => Boolean(id)),
        );
        const pipeIds = selectIds('pipe', input.pipeIds, visiblePipeIds);

        const pipes: ApiPipe[] = [];
        const skippedPipeIds: string[] = [];
        const fetchPipes = async (ids: string[]): Promise<ApiPipe[]> => {
          const data = await client.query<{ pipes: (ApiPipe | null)[] | null }>(PIPES_QUERY, { ids }, context);
          requests += 1;
          const answered = data.pipes ?? [];
          if (answered.length !== ids.length || answered.some((pipe) => !pipe)) {
            throw new PipefyResponseError(`Pipefy returned ${answered.length} pipes for ids ${ids.join(', ')}.`, context);
          }
          return answered as ApiPipe[];
        };

        for (let start = 0; start < pipeIds.length; start += PIPES_PER_REQUEST) {
          const ids = pipeIds.slice(start, start + PIPES_PER_REQUEST);
          try {
            pipes.push(...(await fetchPipes(ids)));
          } catch (error) {
            // An organization can list pipes its members may not open. When the
            // input names no pipes, those are skipped one by one, not the sync.
            if (!(error instanceof PipefyPermissionError) || input.pipeIds.length > 0) throw error;
            for (const id of ids) {
              try {
                pipes.push(...(await fetchPipes([id])));
              } catch (single) {
                if (!(single instanceof PipefyPermissionError)) throw single;
                skippedPipeIds.push(id);
              }
            }
          }
        }
        if (skippedPipeIds.length > 0) {
          log.warn('Skipped pipes the token may not read', { connection: input.connection, pipeIds: skippedPipeIds });
        }

        const tables: ApiTable[] = [];
        if (input.includeTables) {
          for (const organization of organizations) {
            let after: string | null = null;
            do {
              const data: { organization: { tables: unknown } | null } = await client.query(
                TABLES_PAGE_QUERY,
                { organizationId: organization.id, first: PAGE_SIZE, after },
                context,
              );
              requests += 1;
              const page = readRelayPage<ApiTable>(data.organization?.tables, `tables of organization ${organization.id}`, context);
              tables.push(...page.nodes);
              after = page.hasNextPage ? page.endCursor : null;
            } while (after);
          }
        }
        const tableIds = selectIds('table', input.tableIds, tables.map((table) => table.id));
        const selectedTables = tables.filter((table) => tableIds.includes(table.id));

        const staged = await stage(input.loadId, [
          ...normalizeOrganizations(organizations),
          ...normalizePipes(pipes),
          ...normalizeTables(selectedTables),
        ]);
        log.info('Planned sync', { connection: input.connection, pipes: pipes.length, tables: selectedTables.length, requests });

        return {
          organizationIds: organizations.map((organization) => organization.id),
          pipes: pipes.map((pipe) => ({
            id: pipe.id,
            cardsCount: typeof pipe.cards_count === 'number' ? pipe.cards_count : null,
            lastUpdatedByCard: typeof pipe.last_updated_by_card === 'string' ? pipe.last_updated_by_card : null,
          })),
          tables: selectedTables.map((table) => ({
            id: table.id,
            recordsCount: typeof table.table_records_count === 'number' ? table.table_records_count : null,
          })),
          ...staged,
          skippedPipeIds,
          requests,
        };
      });
    },

    /** Fetches one page of a pipe's cards (one request) and stages its rows. */
    async fetchCardsPage(input: FetchCardsPageInput): Promise<FetchPageResult> {
      return reportFailures(async () => {
        const context = { connection: input.connection, pipeId: input.pipeId, resource: 'cards', cursor: input.after };
        const data = await deps.clientFor(input.connection).query<{ allCards: unknown }>(
          CARDS_PAGE_QUERY,
          { pipeId: input.pipeId, first: PAGE_SIZE, after: input.after, filter: updatedAtFilter(input.updatedFrom, input.updatedTo) },
          context,
        );
        if (data.allCards === null) {
          throw new PipefyNotFoundError(`Pipe ${input.pipeId} was not found; remove it from pipeIds.`, context);
        }

        const page = readRelayPage<ApiCard>(data.allCards, `cards of pipe ${input.pipeId}`, context);
        log.debug('Fetched cards page', { pipeId: input.pipeId, cards: page.nodes.length, loadId: input.loadId });
        return stagePage(input.loadId, page, normalizeCards(page.nodes, input.pipeId));
      });
    },

    fetchIdsPage: createFetchIdsPage(deps),

    /** Fetches one page of a database's records (one request) and stages its rows. */
    async fetchTableRecordsPage(input: FetchTableRecordsPageInput): Promise<FetchPageResult> {
      return reportFailures(async () => {
        const context = { connection: input.connection, tableId: input.tableId, resource: 'table_records', cursor: input.after };
        const data = await deps.clientFor(input.connection).query<{ table_records: unknown }>(
          TABLE_RECORDS_PAGE_QUERY,
          { tableId: input.tableId, first: PAGE_SIZE, after: input.after },
          context,
        );
        if (data.table_records === null) {
          throw new PipefyNotFoundError(`Database ${input.tableId} was not found; remove it from tableIds.`, context);
        }

        const page = readRelayPage<ApiTableRecord>(data.table_records, `records of database ${input.tableId}`, context);
        log.debug('Fetched records page', { tableId: input.tableId, records: page.nodes.length, loadId: input.loadId });
        return stagePage(input.loadId, page, normalizeTableRecords(page.nodes, input.tableId));
      });
    },
  };
}

export type PipefyActivities = ReturnType<typeof createPipefyActivities>;

/** Fetches one page of ids for a deletion scan (one request) and stages them. */
function createFetchIdsPage(deps: PipefyActivityDependencies) {
  return async function fetchIdsPage(input: FetchIdsPageInput): Promise<FetchIdsPageResult> {
    return reportFailures(async () => {
      const isCards = input.resource === 'cards';
      const context = {
        connection: input.connection,
        resource: input.resource,
        cursor: input.after,
        ...(isCards ? { pipeId: input.scopeId } : { tableId: input.scopeId }),
      };
      const variables = isCards
        ? { pipeId: input.scopeId, first: PAGE_SIZE, after: input.after }
        : { tableId: input.scopeId, first: PAGE_SIZE, after: input.after };
      const data = await deps
        .clientFor(input.connection)
        .query<Record<string, unknown>>(isCards ? CARD_IDS_PAGE_QUERY : TABLE_RECORD_IDS_PAGE_QUERY, variables, context);

      const connection = isCards ? data.allCards : data.table_records;
      if (connection === null) {
        throw new PipefyNotFoundError(`${isCards ? 'Pipe' : 'Database'} ${input.scopeId} was not found during a deletion scan.`, context);
      }
      const page = readRelayPage<{ id: string }>(connection, `ids of ${input.resource} ${input.scopeId}`, context);
      const ids = page.nodes.map((node) => node.id);
      const stagedName = await deps.staging.writeIds(input.loadId, ids);
      return { stagedName, ids: ids.length, hasNextPage: page.hasNextPage, endCursor: page.endCursor };
    });
  };
}

/** Keeps the requested ids (all visible ones when none are requested); rejects unknown ones. */
function selectIds(kind: 'pipe' | 'table', requested: string[], visible: string[]): string[] {
  if (requested.length === 0) return visible;

  const unknown = requested.filter((id) => !visible.includes(id));
  if (unknown.length > 0) {
    const noun = kind === 'pipe' ? 'pipe' : 'database';
    const shown = visible.slice(0, 50).join(', ') || 'none';
    throw new PipefyNotFoundError(
      `Unknown ${noun} id${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}: the token can see ${noun}s ${shown}. ` +
        `Fix ${kind === 'pipe' ? 'pipeIds' : 'tableIds'} in the workflow input.`,
      { resource: kind === 'pipe' ? 'pipes' : 'tables' },
    );
  }
  return [...new Set(requested)];
}

/** `AdvancedSearch` on `updated_at`, inclusive at both ends. */
export function updatedAtFilter(from: string | null, to: string | null): Record<string, unknown> | null {
  const conditions: Record<string, unknown>[] = [];
  if (from) conditions.push({ field: 'updated_at', operator: 'gte', value: from });
  if (to) conditions.push({ field: 'updated_at', operator: 'lte', value: to });
  if (conditions.length === 0) return null;
  if (conditions.length === 1) return conditions[0];
  return { ...conditions[0], AND: conditions.slice(1) };
}

function latest(values: (string | null | undefined)[]): string | null {
  let best: number | null = null;
  for (const value of values) {
    const millis = value ? Date.parse(value) : NaN;
    if (Number.isFinite(millis) && (best === null || millis > best)) best = millis;
  }
  return best === null ? null : new Date(best).toISOString();
}

function countRows(tables: TableRows[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { table, rows } of tables) counts[table.name] = (counts[table.name] ?? 0) + rows.length;
  return counts;
}
