/**
 * Builds cards on demand from (seed, pipe index, card index). The cheap
 * "core" (id, times, phase) is enough for paging and `updated_at` filters.
 * The full card, with fields, history, comments and relations, is built only
 * for cards that a response includes.
 */
import type { EmulatorContext } from './context';
import { encodeFieldValue, DISPLAY_ONLY_TYPES, randomText, type FieldValueContext } from './field-values';
import { chance, mixSeed, mulberry32, pick, pickSome, randomInt, randomSlug, randomUuid, type Random } from './prng';
import { recordIdOf, recordTitleOf } from './record-generator';
import type { FieldDefinitionData, PipeData, SeedOrganization, UserData } from './seed-types';
import { formatIsoDate, formatIsoOffset, formatIsoZ, SEED_BASE_MS } from './time-format';

/** Card ids are `CARD_ID_BASE + index * pipes + pipeIndex`, unique across the organization. */
export const CARD_ID_BASE = 900_000_000;

/** "Now" for seeded ages and durations: 2025-01-01T00:00:00Z, after every seeded timestamp. */
export const SEED_REFERENCE_MS = SEED_BASE_MS + 366 * 86_400_000;

const HOUR_MS = 3_600_000;

/** Per-card changes made through the emulator's admin API. */
export interface CardOverride {
  createdMs?: number;
  updatedMs?: number;
  title?: string;
}

/** The part of a card needed to order, page and filter it. */
export interface CardCore {
  pipeIndex: number;
  index: number;
  id: string;
  /** Creation time in epoch microseconds; the cursor's first element. */
  createdMicros: number;
  updatedMs: number;
  phaseIndex: number;
  done: boolean;
  finishedMs: number | null;
  /** Entry time into each phase up to the current one, in epoch milliseconds. */
  phaseEntryMs: number[];
}

/** Returns the id of a card from its pipe and index. */
export function cardIdOf(organization: SeedOrganization, pipeIndex: number, index: number): string {
  return String(CARD_ID_BASE + index * organization.pipes.length + pipeIndex);
}

/** Splits a card id into pipe and index, or returns undefined when it cannot be a card id. */
export function locateCardId(organization: SeedOrganization, id: string): { pipeIndex: number; index: number } | undefined {
  if (!/^\d+$/.test(id)) return undefined;
  const offset = Number(id) - CARD_ID_BASE;
  if (!Number.isSafeInteger(offset) || offset < 0) return undefined;
  const pipes = organization.pipes.length;
  return { pipeIndex: offset % pipes, index: Math.floor(offset / pipes) };
}

function cardRandom(organization: SeedOrganization, pipeIndex: number, index: number): Random {
  return mulberry32(mixSeed(organization.options.seed, 1, pipeIndex, index));
}

function drawCore(random: Random, organization: SeedOrganization, pipe: PipeData, index: number, override: CardOverride): CardCore {
  const jitter = Math.floor(random() * pipe.cardStepMicros);
  const createdMicros =
    override.createdMs !== undefined ? override.createdMs * 1000 : pipe.firstCardMicros + index * pipe.cardStepMicros + jitter;
  const createdMs = Math.floor(createdMicros / 1000);
  const isNew = override.createdMs !== undefined;

  const lastPhase = pipe.phases.length - 1;
  const phaseIndex = isNew ? 0 : chance(random, 0.3) ? lastPhase : randomInt(random, 0, Math.max(0, lastPhase - 1));
  const phaseEntryMs = [createdMs];
  for (let phase = 1; phase <= phaseIndex; phase += 1) {
    phaseEntryMs.push(phaseEntryMs[phase - 1] + randomInt(random, 1, 240) * HOUR_MS + randomInt(random, 0, 3599) * 1000);
  }
  const done = pipe.phases[phaseIndex]?.done ?? false;
  const lastEntry = phaseEntryMs[phaseEntryMs.length - 1];
  const drawnUpdatedMs = isNew ? createdMs : lastEntry + randomInt(random, 0, 72) * HOUR_MS + randomInt(random, 0, 3599) * 1000;
  return {
    pipeIndex: pipe.pipeIndex,
    index,
    id: cardIdOf(organization, pipe.pipeIndex, index),
    createdMicros,
    updatedMs: override.updatedMs ?? drawnUpdatedMs,
    phaseIndex,
    done,
    finishedMs: done ? lastEntry : null,
    phaseEntryMs,
  };
}

/** Generates the core of one card. Deterministic for the same organization, pipe, index and override. */
export function generateCardCore(organization: SeedOrganization, pipe: PipeData, index: number, override: CardOverride = {}): CardCore {
  return drawCore(cardRandom(organization, pipe.pipeIndex, index), organization, pipe, index, override);
}

/** Returns the indexes of pipe 1 cards that are children of pipe 0 card `parentIndex`. */
export function childIndexesOf(parentIndex: number, childCount: number): number[] {
  return [2 * parentIndex, 2 * parentIndex + 1].filter((child) => child % 3 !== 0 && child < childCount);
}

/** Returns the index of the pipe 0 card that is the parent of pipe 1 card `childIndex`, if any. */
export function parentIndexOf(childIndex: number, parentCount: number): number | undefined {
  const parent = Math.floor(childIndex / 2);
  return childIndex % 3 !== 0 && parent < parentCount ? parent : undefined;
}

function cardFieldDefinitions(pipe: PipeData, phaseIndex: number): FieldDefinitionData[] {
  const phaseFields = pipe.phases.slice(0, phaseIndex + 1).flatMap((phase) => phase.fields);
  return [...pipe.start_form_fields, ...phaseFields].filter((field) => !DISPLAY_ONLY_TYPES.has(field.type));
}

function minimalField(field: FieldDefinitionData) {
  return {
    id: field.id,
    internal_id: field.internal_id,
    uuid: field.uuid,
    label: field.label,
    type: field.type,
    options: field.options,
    description: field.description,
    help: field.help,
    index_name: field.index_name,
  };
}

/** Builds the `fields` of a card or `record_fields` of a record; unfilled fields are left out. */
export function buildFieldValues(
  random: Random,
  definitions: FieldDefinitionData[],
  valueContext: FieldValueContext,
  filledMs: number,
  updatedMs: number,
  fillRate: number,
) {
  const values = [];
  for (const definition of definitions) {
    if (!chance(random, fillRate)) continue;
    const encoded = encodeFieldValue(random, definition.type, definition.options, valueContext);
    if (!encoded) continue;
    const fieldUpdatedMs = filledMs + Math.floor(random() * Math.max(0, updatedMs - filledMs));
    values.push({
      name: definition.label,
      ...encoded,
      filled_at: formatIsoZ(filledMs),
      updated_at: formatIsoZ(fieldUpdatedMs),
      indexName: definition.index_name,
      field: minimalField(definition),
      phase_field: definition,
      definition,
    });
  }
  return values;
}

/** Returns a connector's candidate records: records of the connector's target table. */
export function connectedItemsDrawer(organization: SeedOrganization, field: { connected_repo: { id: string } | null }) {
  const table = organization.tables.find((candidate) => candidate.id === field.connected_repo?.id) ?? organization.tables[0];
  return (random: Random) => {
    if (!table || table.recordCount === 0) return [];
    return Array.from({ length: randomInt(random, 1, 2) }, () => {
      const recordIndex = randomInt(random, 0, table.recordCount - 1);
      return {
        id: recordIdOf(organization, table.tableIndex, recordIndex),
        title: recordTitleOf(organization, table.tableIndex, recordIndex),
      };
    });
  };
}

function cardTitle(random: Random, id: string, users: UserData[]): string {
  const roll = random();
  if (roll < 0.03) return 'Rascunho';
  if (roll < 0.06) return id;
  return `${randomText(random, 1, 3)} - ${pick(random, users).name}`;
}

/**
 * Builds the full API-shaped card for a core. Relation `cards` are functions
 * of the request context, so they reflect deleted and created cards.
 */
export function buildCard(organization: SeedOrganization, core: CardCore, override: CardOverride = {}) {
  const pipe = organization.pipes[core.pipeIndex];
  const random = cardRandom(organization, core.pipeIndex, core.index);
  drawCore(random, organization, pipe, core.index, override);

  const createdMs = Math.floor(core.createdMicros / 1000);
  const offsetMinutes = chance(random, 0.5) ? 0 : -180;
  const formatCardTime = (ms: number) => (offsetMinutes === 0 ? formatIsoZ(ms) : formatIsoOffset(ms, offsetMinutes));
  const users = pipe.members.map((member) => member.user);
  const creator = pick(random, users);
  const isDraft = random() < 0.05;
  const title = override.title ?? (isDraft ? 'Rascunho' : cardTitle(random, core.id, users));
  const assignees = pickSome(random, users, randomInt(random, 0, 2));
  const labels = pickSome(random, pipe.labels, randomInt(random, 0, 2));

  const valueContext: FieldValueContext = {
    userDisplayNames: users.map((user) => user.displayName),
    labelNames: pipe.labels.map((label) => label.name),
    drawConnectedItems: () => [],
    aroundMs: createdMs,
    expiresOn: organization.expiresOn,
  };
  const definitions = isDraft ? [] : cardFieldDefinitions(pipe, core.phaseIndex);
  const fields = [];
  for (const definition of definitions) {
    valueContext.drawConnectedItems = connectedItemsDrawer(organization, definition);
    fields.push(...buildFieldValues(random, [definition], valueContext, createdMs, core.updatedMs, 0.75));
  }

  const dueField = fields.find((field) => field.definition.type === 'due_date');
  const dueDate = dueField?.datetime_value ?? null;
  const late = dueDate !== null && !core.done && Date.parse(dueDate) < SEED_REFERENCE_MS;

  const phasesHistory = core.phaseEntryMs.map((entryMs, phaseIndex) => {
    const exitMs = core.phaseEntryMs[phaseIndex + 1] ?? null;
    return {
      phase: pipe.phases[phaseIndex],
      firstTimeIn: formatIsoOffset(entryMs, 0),
      lastTimeIn: formatIsoOffset(entryMs, 0),
      lastTimeOut: exitMs === null ? null : formatIsoOffset(exitMs, 0),
      duration: Math.floor(((exitMs ?? SEED_REFERENCE_MS) - entryMs) / 1000),
      created_at: formatIsoOffset(entryMs, 0),
      became_late: late && exitMs === null,
      draft: false,
    };
  });

  const commentCount = isDraft ? 0 : randomInt(random, 0, 3);
  const comments = Array.from({ length: commentCount }, (_, commentIndex) => {
    const author = pick(random, users);
    return {
      id: String(Number(core.id) * 4 + commentIndex + 1),
      text: `${randomText(random, 3, 10)}.`,
      created_at: formatIsoZ(createdMs + (commentIndex + 1) * randomInt(random, 1, 48) * HOUR_MS),
      author,
      author_name: author.name,
    };
  });

  const attachments = fields
    .filter((field) => field.definition.type === 'attachment')
    .flatMap((field) =>
      (field.array_value ?? []).map((url) => ({
        url,
        path: new URL(url).pathname.replace('/storage/v1/signed/', ''),
        createdAt: formatIsoDate(Date.parse(field.filled_at)),
        createdBy: creator,
        field: minimalField(field.definition),
        phase: field.definition.phase ?? pipe.phases[0],
      })),
    );

  const checklistFields = fields.filter((field) => field.definition.type === 'checklist_vertical');
  const currentPhaseEntryMs = core.phaseEntryMs[core.phaseEntryMs.length - 1];

  return {
    id: core.id,
    uuid: randomUuid(random),
    suid: randomSlug(random, 8),
    title,
    url: `http://app.pipefy.com/pipes/${pipe.id}#cards/${core.id}`,
    path: `/pipes/${pipe.id}#cards/${core.id}`,
    done: core.done,
    expired: false,
    late,
    overdue: late,
    due_date: dueDate,
    finished_at: core.finishedMs === null ? null : formatCardTime(core.finishedMs),
    createdAt: formatCardTime(createdMs),
    created_at: formatCardTime(createdMs),
    updated_at: formatCardTime(core.updatedMs),
    started_current_phase_at: formatCardTime(currentPhaseEntryMs),
    current_phase_age: Math.floor((SEED_REFERENCE_MS - currentPhaseEntryMs) / 1000),
    age: Math.floor((SEED_REFERENCE_MS - createdMs) / 1000),
    creatorEmail: creator.email,
    emailMessagingAddress: `card${core.id}@mail.pipefy.com`,
    comments_count: comments.length,
    attachments_count: attachments.length,
    checklist_items_count: checklistFields.reduce((total, field) => total + field.definition.options.length, 0),
    checklist_items_checked_count: checklistFields.reduce((total, field) => total + (field.array_value?.length ?? 0), 0),
    createdBy: creator,
    created_by: creator,
    pipe,
    current_phase: pipe.phases[core.phaseIndex],
    assignees,
    labels,
    fields,
    phases_history: phasesHistory,
    comments,
    attachments,
    child_relations: childRelationsOf(organization, core),
    parent_relations: parentRelationsOf(organization, core),
  };
}

export type CardData = ReturnType<typeof buildCard>;

type RelatedCardsResolver = (args: { done?: boolean | null }, context: EmulatorContext) => Array<{ id: string; done: boolean }>;

function relatedCards(ids: string[]): RelatedCardsResolver {
  return (args, context) =>
    ids
      .map((id) => context.state.findCard(id))
      .filter((card): card is CardData => card !== undefined && (args.done == null || card.done === args.done));
}

function childRelationsOf(organization: SeedOrganization, core: CardCore) {
  const pipe = organization.pipes[core.pipeIndex];
  return pipe.childrenRelations.map((relation) => ({
    id: relation.id,
    name: relation.name,
    source_type: 'PipeRelation',
    pipe: relation.child,
    repo: relation.child,
    cards: relatedCards(
      (core.index < pipe.cardCount ? childIndexesOf(core.index, relation.child.cardCount) : []).map((index) => cardIdOf(organization, relation.child.pipeIndex, index)),
    ),
  }));
}

function parentRelationsOf(organization: SeedOrganization, core: CardCore) {
  const pipe = organization.pipes[core.pipeIndex];
  return pipe.parentsRelations.map((relation) => {
    // Cards created through the admin API have no seeded relations.
    const parentIndex = core.index < pipe.cardCount ? parentIndexOf(core.index, relation.parent.cardCount) : undefined;
    return {
      id: relation.id,
      name: relation.name,
      source_type: 'PipeRelation',
      pipe: relation.parent,
      repo: relation.parent,
      cards: relatedCards(parentIndex === undefined ? [] : [cardIdOf(organization, relation.parent.pipeIndex, parentIndex)]),
    };
  });
}
