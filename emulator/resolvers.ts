/**
 * Resolvers for the root queries and for fields that take arguments or read
 * the emulator's mutable state. Unknown ids give `null` at their path plus a
 * RESOURCE_NOT_FOUND error; pipes hidden from the token give `null` plus a
 * PERMISSION_DENIED error.
 *
 * `cards(search)` and `phase.cards(search)` leave done cards out unless
 * `include_done: true`, and so does `table_records(search)`: Pipefy does not
 * document the default, and leaving them out is the conservative reading
 * that makes a connector send `include_done: true`. `allCards` always
 * includes done cards.
 */
import type { GraphQLFieldResolver } from 'graphql';
import { compileCardFilter, type AdvancedSearch } from './card-filter';
import type { CardCore } from './card-generator';
import type { EmulatorContext } from './context';
import { notFoundError, permissionDeniedError } from './errors';
import { keysetPage, offsetPage, pageSize, type PagingArgs } from './paging';
import { buildRecord, generateRecordCore, recordIdOf } from './record-generator';
import type { OrganizationData, PhaseData, PipeData, TableData } from './seed-types';
import { formatIsoOffset } from './time-format';

type Resolver = GraphQLFieldResolver<any, EmulatorContext, any>;

interface CardSearch {
  assignee_ids?: string[] | null;
  ignore_ids?: string[] | null;
  label_ids?: string[] | null;
  title?: string | null;
  include_done?: boolean | null;
}

function readablePipe(context: EmulatorContext, id: string): PipeData {
  const pipe = context.state.findPipe(String(id));
  if (!pipe) throw notFoundError('Pipe', String(id));
  if (!context.state.canReadPipe(context.token, pipe.id)) throw permissionDeniedError();
  return pipe;
}

function findTable(context: EmulatorContext, id: string): TableData {
  const table = context.state.findTable(String(id));
  if (!table) throw notFoundError('Table', String(id));
  return table;
}

function findPhase(context: EmulatorContext, id: string): PhaseData {
  for (const pipe of context.state.organization.pipes) {
    const phase = pipe.phases.find((candidate) => candidate.id === String(id));
    if (phase) {
      if (!context.state.canReadPipe(context.token, pipe.id)) throw permissionDeniedError();
      return phase;
    }
  }
  throw notFoundError('Phase', String(id));
}

function checkOrganization(context: EmulatorContext, id: string): OrganizationData {
  const organization = context.state.organization.organization;
  if (organization.id !== String(id)) throw notFoundError('Organization', String(id));
  return organization;
}

/** Pages a pipe's cards that match `predicate`; `key` must identify the predicate for caching. */
function cardPage(context: EmulatorContext, pipe: PipeData, key: string, predicate: (core: CardCore) => boolean, args: PagingArgs) {
  pageSize(args);
  const cores = context.state.filteredCardCores(pipe, key, predicate);
  return keysetPage(
    cores,
    (core) => ({ createdMicros: core.createdMicros, id: Number(core.id) }),
    (core) => context.state.buildCard(core),
    args,
  );
}

/**
 * Builds the predicate of a `CardSearch`. Assignee, label and title filters
 * need the full card, so they are applied to cores through the built card.
 */
function cardSearchPredicate(context: EmulatorContext, search: CardSearch | null | undefined, phase?: PhaseData) {
  const includeDone = search?.include_done === true;
  const ignored = new Set((search?.ignore_ids ?? []).map(String));
  const needsCard = Boolean(search?.assignee_ids?.length || search?.label_ids?.length || search?.title);
  return (core: CardCore) => {
    if (!includeDone && core.done) return false;
    if (phase && core.phaseIndex !== phase.phaseIndex) return false;
    if (ignored.has(core.id)) return false;
    if (!needsCard) return true;
    const card = context.state.buildCard(core);
    if (search?.assignee_ids?.length && !card.assignees.some((user) => search.assignee_ids!.map(String).includes(user.id))) return false;
    if (search?.label_ids?.length && !card.labels.some((label) => search.label_ids!.map(String).includes(label.id))) return false;
    if (search?.title && !card.title.toLowerCase().includes(search.title.toLowerCase())) return false;
    return true;
  };
}

function tableRecordsConnection(context: EmulatorContext, table: TableData, args: PagingArgs & { search?: CardSearch | null }) {
  pageSize(args);
  const organization = context.state.organization;
  const includeDone = args.search?.include_done === true;
  const indexes: number[] = [];
  for (let index = 0; index < table.recordCount; index += 1) indexes.push(index);
  const records = indexes
    .map((index) => ({ index, ...generateRecordCore(organization, table, index), id: Number(recordIdOf(organization, table.tableIndex, index)) }))
    .filter((entry) => includeDone || !entry.done);
  const connection = keysetPage(
    records,
    (entry) => ({ createdMicros: entry.createdMicros, id: entry.id }),
    (entry) => buildRecord(organization, table, entry.index),
    args,
  );
  return { ...connection, matchCount: records.length };
}

function lastUpdatedByCard(context: EmulatorContext, pipe: PipeData): string | null {
  let latest = -Infinity;
  for (const core of context.state.cardCores(pipe)) latest = Math.max(latest, core.updatedMs);
  return Number.isFinite(latest) ? formatIsoOffset(latest, 0) : null;
}

const byIdList = (ids: readonly string[] | null | undefined, lookup: (id: string) => unknown) =>
  (ids ?? []).map((id) => {
    try {
      return lookup(String(id));
    } catch (error) {
      // A list item that is an Error becomes null at its own path plus an entry in `errors`.
      return error;
    }
  });

const limited = <T>(items: T[], limit: number | null | undefined): T[] => (limit == null ? items : items.slice(0, limit));

export const RESOLVERS: Record<string, Record<string, Resolver>> = {
  Query: {
    me: (_source, _args, context) => context.state.organization.users[0],
    organizations: (_source, args: { ids?: string[] | null }, context) => {
      const organization = context.state.organization.organization;
      if (args.ids == null) return [organization];
      return args.ids.map(String).includes(organization.id) ? [organization] : [];
    },
    organization: (_source, args: { id: string }, context) => checkOrganization(context, args.id),
    pipes: (_source, args: { ids: string[] }, context) => byIdList(args.ids, (id) => readablePipe(context, id)),
    pipe: (_source, args: { id: string }, context) => readablePipe(context, args.id),
    phase: (_source, args: { id: string }, context) => findPhase(context, args.id),
    allCards: (_source, args: PagingArgs & { pipeId: string; filter?: AdvancedSearch | null }, context) => {
      const pipe = readablePipe(context, args.pipeId);
      const predicate = compileCardFilter(args.filter);
      return cardPage(context, pipe, `all:${JSON.stringify(args.filter ?? null)}`, predicate, args);
    },
    cards: (_source, args: PagingArgs & { pipe_id: string; search?: CardSearch | null }, context) => {
      const pipe = readablePipe(context, args.pipe_id);
      return cardPage(context, pipe, `cards:${JSON.stringify(args.search ?? null)}`, cardSearchPredicate(context, args.search), args);
    },
    card: (_source, args: { id: string }, context) => {
      const card = context.state.findCard(String(args.id));
      if (!card) throw notFoundError('Card', String(args.id));
      if (!context.state.canReadPipe(context.token, card.pipe.id)) throw permissionDeniedError();
      return card;
    },
    tables: (_source, args: { ids: string[] }, context) => byIdList(args.ids, (id) => findTable(context, id)),
    table: (_source, args: { id: string }, context) => findTable(context, args.id),
    table_records: (_source, args: PagingArgs & { table_id: string; search?: CardSearch | null }, context) =>
      tableRecordsConnection(context, findTable(context, args.table_id), args),
    table_record: (_source, args: { id: string }, context) => {
      const record = context.state.findRecord(String(args.id));
      if (!record) throw notFoundError('Table record', String(args.id));
      return record;
    },
    pipe_relations: (_source, args: { ids: string[] }, context) =>
      byIdList(args.ids, (id) => {
        const relation = context.state.organization.pipeRelations.find((candidate) => candidate.id === id);
        if (!relation) throw notFoundError('Pipe relation', id);
        return relation;
      }),
  },
  Organization: {
    members: (source: OrganizationData, args: { limit?: number | null }) => limited(source.members, args.limit),
    users: (source: OrganizationData, args: { limit?: number | null }) => limited(source.users, args.limit),
    pipes: (_source, args: { ids?: string[] | null; with_permission?: boolean | null; name_search?: string | null }, context) =>
      context.state.organization.pipes.filter(
        (pipe) =>
          (args.ids == null || args.ids.map(String).includes(pipe.id)) &&
          (args.with_permission !== true || context.state.canReadPipe(context.token, pipe.id)) &&
          (!args.name_search || pipe.name.toLowerCase().includes(args.name_search.toLowerCase())),
      ),
    tables: (_source, args: PagingArgs & { name_search?: string | null }, context) => {
      const search = args.name_search?.toLowerCase();
      const tables = context.state.organization.tables.filter((table) => !search || table.name.toLowerCase().includes(search));
      return offsetPage(tables, args);
    },
  },
  Pipe: {
    cards_count: (source: PipeData, _args, context) => context.state.cardCores(source).length,
    opened_cards_count: (source: PipeData, _args, context) => context.state.cardCores(source).filter((core) => !core.done).length,
    last_updated_by_card: (source: PipeData, _args, context) => lastUpdatedByCard(context, source),
    members: (source: PipeData, args: { limit?: number | null }) => limited(source.members, args.limit),
  },
  Phase: {
    cards_count: (source: PhaseData, _args, context) =>
      context.state.cardCores(source.pipe).filter((core) => core.phaseIndex === source.phaseIndex).length,
    cards: (source: PhaseData, args: PagingArgs & { search?: CardSearch | null }, context) =>
      cardPage(context, source.pipe, `phase:${source.id}:${JSON.stringify(args.search ?? null)}`, cardSearchPredicate(context, args.search, source), args),
  },
  Table: {
    table_records_count: (source: TableData) => source.recordCount,
    table_records: (source: TableData, args: PagingArgs, context) => tableRecordsConnection(context, source, { ...args, search: { include_done: true } }),
    members: (source: TableData, args: { limit?: number | null }) => limited(source.members, args.limit),
  },
};
