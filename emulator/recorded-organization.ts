/**
 * An organization built from real Pipefy responses kept in `recorded/`
 * (see `recorded/README.md`), so that the connector can be checked against
 * the value encodings Pipefy really sends. Card field `value`s, `due_date`,
 * labels, comments and child relations are served exactly as recorded.
 * Everything the connector selects but the recordings lack is filled with a
 * plausible, deterministic value; each fill is named where it is made.
 *
 * Pipes:
 * - 304547300 "Pipe sem campos conectados": the 23 cards of one recorded
 *   `cards` page, with one start-form field of almost every type.
 * - 304530915 "[TI] Gestão de Requisições": 8 template cards, with cleared
 *   `label_select` values (`"[]"`) and two empty child relations each.
 * - 303335871 "[TI] Gestão de Incidentes": 2 cards with a connector field and
 *   recorded `native_value`/`report_value`. It comes from another account
 *   (organization 301144729) and is served here as a pipe of the same
 *   organization.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CardCore, CardData } from './card-generator';
import { MULTI_VALUE_TYPES } from './field-values';
import { completeFieldValue, type CompanionMode, type RecordedFieldValue } from './recorded-values';
import type {
  FieldDefinitionData,
  LabelData,
  OrganizationData,
  PhaseData,
  PipeData,
  SeedOrganization,
  StoredCard,
  UserData,
} from './seed-types';
import { formatIsoDate, formatIsoZ, parseCursorTimestamp } from './time-format';

const RECORDED_DIRECTORY = join(__dirname, 'recorded');
const CD = 'cliente-digital__pipefy';
const RV = 'Racchel__spike-gd-pipefy';

/** Options of {@link recordedOrganization}. */
export interface RecordedOrganizationOptions {
  /**
   * `derived` (default) fills the typed companions a recording lacks from
   * `value`; `recorded` leaves them null, so a client must read `value`.
   */
  companions?: CompanionMode;
}

/** Fill-in "now" for ages: 2024-08-07T00:00:00Z, the day the newest recordings were saved. */
const RECORDED_AT_MS = Date.UTC(2024, 7, 7);

/**
 * "Now" of the pipe 303335871 recordings: card 728786220 was last updated at
 * 2023-06-16T07:03:33Z, taken as its entry into the current phase, and its
 * recorded `current_phase_age` is 163726 seconds.
 */
const INCIDENTS_RECORDED_AT_MS = Date.parse('2023-06-16T07:03:33Z') + 163_726_000;

/** Fill-in creation time of the template pipes and their cards, shortly after the organization. */
const TEMPLATE_CREATED_MS = Date.parse('2024-07-29T12:29:10Z');

/** Fill-in spacing between the cards of pipe 304547300, which the recording does not date. */
const CARD_SPACING_MS = 10 * 60_000;

interface RawField {
  id: string;
  label: string;
  type: string;
  options: string[];
  editable: boolean;
  required: boolean | null;
  description?: string | null;
  help?: string;
  minimal_view?: boolean;
  is_multiple?: boolean;
  index_name?: string;
  internal_id?: string;
  custom_validation?: string;
  canConnectExisting?: boolean;
  canConnectMultiples?: boolean;
}

interface RawPhase {
  id: string;
  name: string;
  description?: string | null;
  index?: number;
  fields?: RawField[];
}

interface RawPipe {
  id: string;
  name: string;
  labels: LabelData[];
  start_form_fields: RawField[];
  phases: RawPhase[];
}

interface RawCardField extends RecordedFieldValue {
  field?: { id: string; type: string; internal_id: string };
  name: string;
  indexName?: string;
  filled_at?: string;
  updated_at?: string;
}

interface RawCard {
  id: string;
  title: string;
  due_date?: string | null;
  labels?: { id: string; name?: string }[];
  comments?: unknown[];
  fields: RawCardField[];
  child_relations?: { id: string; pipe: { id: string }; cards: unknown[] }[];
  parent_relations?: unknown[];
  updated_at?: string;
  done?: boolean;
  current_phase?: { name: string };
  pipe?: { name: string };
}

/** Facts about a card that only some recordings give. */
interface CardFacts {
  createdMicros: number;
  updatedMs?: number;
  phaseName?: string;
  creatorEmail?: string;
  /** Entry into the current phase; the creation time when absent. */
  phaseEnteredMs?: number;
  /** "Now" for `age` and `current_phase_age`; {@link RECORDED_AT_MS} when absent. */
  recordedAtMs?: number;
  late?: boolean;
  expired?: boolean;
  finishedAt?: string | null;
}

function readRecorded<T>(folder: string, file: string): T {
  return JSON.parse(readFileSync(join(RECORDED_DIRECTORY, folder, file), 'utf8')) as T;
}

/** Makes a deterministic UUID from a numeric id, for objects whose UUID was not recorded. */
function fillUuid(id: string): string {
  return `00000000-0000-4000-8000-${id.replace(/\D/g, '').padStart(12, '0').slice(-12)}`;
}

/** Makes a deterministic 8-character suid from a numeric id. */
function fillSuid(id: string): string {
  return Number(id).toString(36).toUpperCase().padStart(8, 'X').slice(-8);
}

class RecordedBuilder {
  readonly pipes: PipeData[] = [];
  readonly storedCards: StoredCard[] = [];
  /** Fill-in internal ids for field definitions that no recording gives one to. */
  private nextInternalId = 390_000_001;

  constructor(
    readonly organization: OrganizationData,
    private readonly owner: UserData,
    private readonly mode: CompanionMode,
    private readonly connectedIds: ReadonlyMap<string, string>,
  ) {}

  /** Adds a pipe from a recorded schema; `internalIds` are field internal ids seen on its cards. */
  addPipe(raw: RawPipe, createdMs: number, internalIds: ReadonlyMap<string, string>, connectorTarget: string | null): PipeData {
    const pipe: PipeData = {
      __typename: 'Pipe',
      id: raw.id,
      uuid: fillUuid(raw.id),
      suid: fillSuid(raw.id),
      name: raw.name,
      description: '',
      icon: 'pipefy',
      color: 'blue',
      created_at: formatIsoZ(createdMs),
      public: false,
      role: 'admin',
      anyone_can_create_card: true,
      users_count: 1,
      expiration_time_by_unit: null,
      expiration_unit: null,
      emailAddress: `pipe${raw.id}@mail.pipefy.com`,
      organization: this.organization,
      phases: [],
      start_form_fields: [],
      labels: raw.labels.map((label) => ({ id: label.id, name: label.name, color: label.color })),
      members: this.organization.members,
      childrenRelations: [],
      parentsRelations: [],
      pipeIndex: this.pipes.length,
      cardCount: 0,
      firstCardMicros: createdMs * 1000,
      cardStepMicros: 1_000_000,
    };

    let fieldPosition = 0;
    const definition = (field: RawField, phase: PhaseData | null): FieldDefinitionData => {
      fieldPosition += 1;
      return this.fieldDefinition(field, phase, fieldPosition, internalIds.get(field.id), connectorTarget);
    };
    pipe.start_form_fields = raw.start_form_fields.map((field) => definition(field, null));
    pipe.phases = raw.phases.map((rawPhase, phaseIndex) => {
      const phase: PhaseData = {
        id: rawPhase.id,
        name: rawPhase.name,
        description: rawPhase.description ?? null,
        // NOTE: no recording selects `done`; cards in these pipes are all open.
        done: false,
        created_at: formatIsoZ(createdMs),
        color: 'blue',
        sequentialId: String(phaseIndex + 1),
        index: rawPhase.index ?? phaseIndex + 1,
        fields: [],
        pipe,
        phaseIndex,
      };
      phase.fields = (rawPhase.fields ?? []).map((field) => definition(field, phase));
      return phase;
    });

    this.pipes.push(pipe);
    return pipe;
  }

  private fieldDefinition(
    field: RawField,
    phase: PhaseData | null,
    position: number,
    seenInternalId: string | undefined,
    connectorTarget: string | null,
  ): FieldDefinitionData {
    const isConnector = field.type === 'connector';
    const internalId = field.internal_id ?? seenInternalId ?? String(this.nextInternalId++);
    return {
      id: field.id,
      internal_id: internalId,
      uuid: fillUuid(internalId),
      label: field.label,
      type: field.type,
      description: field.description ?? '',
      help: field.help ?? '',
      options: field.options,
      required: field.required,
      editable: field.editable,
      is_multiple: field.is_multiple ?? MULTI_VALUE_TYPES.has(field.type),
      unique: false,
      index_name: field.index_name ?? `field_${position}_${isConnector ? 'connector' : 'string'}`,
      minimal_view: field.minimal_view ?? false,
      custom_validation: field.custom_validation ?? '',
      canConnectExisting: field.canConnectExisting ?? (isConnector ? true : null),
      canConnectMultiples: field.canConnectMultiples ?? (isConnector ? false : null),
      connected_repo: isConnector && connectorTarget ? { __typename: 'Table', id: connectorTarget } : null,
      phase,
    };
  }

  /** Stores a recorded card of `pipe` as the emulator serves it. */
  addCard(pipe: PipeData, raw: RawCard, facts: CardFacts): void {
    const createdMs = Math.floor(facts.createdMicros / 1000);
    const updatedMs = facts.updatedMs ?? createdMs;
    const phase = pipe.phases.find((candidate) => candidate.name === facts.phaseName) ?? pipe.phases[0];
    const definitions = [...pipe.start_form_fields, ...pipe.phases.flatMap((candidate) => candidate.fields)];

    const fields = raw.fields.map((rawField) => {
      const definition = this.definitionOf(definitions, rawField);
      const encoded = completeFieldValue(definition.type, rawField, this.mode, this.connectedIds);
      return {
        name: rawField.name,
        ...encoded,
        filled_at: rawField.filled_at ?? formatIsoZ(createdMs),
        updated_at: rawField.updated_at ?? formatIsoZ(createdMs),
        indexName: rawField.indexName ?? definition.index_name,
        field: {
          id: definition.id,
          internal_id: definition.internal_id,
          uuid: definition.uuid,
          label: definition.label,
          type: definition.type,
          options: definition.options,
          description: definition.description,
          help: definition.help,
          index_name: definition.index_name,
        },
        phase_field: definition,
        definition,
      };
    });

    const labels = (raw.labels ?? []).map((recorded) => pipe.labels.find((label) => label.id === recorded.id) ?? { id: recorded.id, name: recorded.name ?? '', color: '#0F0' });
    const attachments = fields
      .filter((field) => field.definition.type === 'attachment')
      .flatMap((field) =>
        (JSON.parse(field.value) as string[]).map((url) => ({
          url,
          path: new URL(url).pathname.replace('/storage/v1/signed/', ''),
          createdAt: formatIsoDate(createdMs),
          createdBy: this.owner,
          field: field.field,
          phase: field.definition.phase ?? pipe.phases[0],
        })),
      );
    const checklists = fields.filter((field) => field.definition.type === 'checklist_vertical');
    const recordedAtMs = facts.recordedAtMs ?? RECORDED_AT_MS;
    const phaseEnteredMs = facts.phaseEnteredMs ?? createdMs;
    const currentPhaseAge = Math.floor((recordedAtMs - phaseEnteredMs) / 1000);

    const card: CardData = {
      id: raw.id,
      uuid: fillUuid(raw.id),
      suid: fillSuid(raw.id),
      title: raw.title,
      url: `http://app.pipefy.com/pipes/${pipe.id}#cards/${raw.id}`,
      path: `/pipes/${pipe.id}#cards/${raw.id}`,
      done: raw.done ?? false,
      expired: facts.expired ?? false,
      late: facts.late ?? false,
      overdue: false,
      due_date: raw.due_date ?? null,
      finished_at: facts.finishedAt ?? null,
      createdAt: formatIsoZ(createdMs),
      created_at: formatIsoZ(createdMs),
      updated_at: formatIsoZ(updatedMs),
      started_current_phase_at: formatIsoZ(phaseEnteredMs),
      current_phase_age: currentPhaseAge,
      age: Math.floor((recordedAtMs - createdMs) / 1000),
      creatorEmail: facts.creatorEmail ?? this.owner.email,
      emailMessagingAddress: `card${raw.id}@mail.pipefy.com`,
      comments_count: 0,
      attachments_count: attachments.length,
      checklist_items_count: checklists.reduce((total, field) => total + field.definition.options.length, 0),
      checklist_items_checked_count: checklists.reduce((total, field) => total + (JSON.parse(field.value) as string[]).length, 0),
      createdBy: this.owner,
      created_by: this.owner,
      pipe,
      current_phase: phase,
      assignees: [],
      labels,
      fields,
      phases_history: [
        {
          phase,
          firstTimeIn: formatIsoZ(phaseEnteredMs),
          lastTimeIn: formatIsoZ(phaseEnteredMs),
          lastTimeOut: null,
          duration: currentPhaseAge,
          created_at: formatIsoZ(phaseEnteredMs),
          became_late: false,
          draft: false,
        },
      ],
      // Every recorded card has `comments: []`; a non-empty list would need its authors mapped.
      comments: [],
      attachments,
      child_relations: (raw.child_relations ?? []).map((relation) => {
        // Pipe 304530912, the target of the recorded relations, was not recorded: only its id is served.
        const related = { __typename: 'Pipe', id: relation.pipe.id } as unknown as PipeData;
        return { id: relation.id, name: 'Conexão', source_type: 'PipeRelation', pipe: related, repo: related, cards: () => [] };
      }),
      parent_relations: [],
    };

    const core: CardCore = {
      pipeIndex: pipe.pipeIndex,
      index: this.storedCards.length,
      id: raw.id,
      createdMicros: facts.createdMicros,
      updatedMs,
      phaseIndex: phase.phaseIndex,
      done: card.done,
      finishedMs: card.finished_at === null ? null : Date.parse(card.finished_at),
      phaseEntryMs: [phaseEnteredMs],
    };
    this.storedCards.push({ core, card });
  }

  /**
   * Finds the definition of a recorded card field: by field id, else by
   * `indexName` (the recorded `findCards` response has no field ids). A card
   * field whose id the pipe schema lacks, like `document_rg` (the schema,
   * saved on another day, calls it `document_cpf`), gets a definition of its own.
   */
  private definitionOf(definitions: FieldDefinitionData[], rawField: RawCardField): FieldDefinitionData {
    const found = rawField.field
      ? definitions.find((definition) => definition.id === rawField.field!.id)
      : definitions.find((definition) => definition.index_name === rawField.indexName);
    if (found) return found;
    if (!rawField.field) throw new Error(`Recorded field "${rawField.name}" matches no field definition by indexName ${rawField.indexName}`);
    return this.fieldDefinition(
      { id: rawField.field.id, label: rawField.name, type: rawField.field.type, options: [], editable: true, required: false, internal_id: rawField.field.internal_id },
      null,
      definitions.length + 1,
      undefined,
      null,
    );
  }
}

/** Field internal ids seen on recorded cards, by field id. */
function internalIdsOf(cards: RawCard[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const card of cards) for (const field of card.fields) if (field.field) ids.set(field.field.id, field.field.internal_id);
  return ids;
}

function addRequisitionsPipe(builder: RecordedBuilder): void {
  const schema = readRecorded<{ data: { organizations: { pipes: RawPipe[] }[] } }>(CD, 'schema.build-40cd750bba9870f18aada2478b24840a.json');
  const rawPipe = schema.data.organizations[0].pipes.find((candidate) => candidate.id === '304530915')!;
  const cards = readRecorded<{ node: RawCard }[]>(CD, 'pipe-304530915.cards.json').map((edge) => edge.node);
  const pipe = builder.addPipe(rawPipe, TEMPLATE_CREATED_MS, internalIdsOf(cards), null);

  // Template cards share one creation instant and come out of id order; one microsecond apart keeps the recorded order.
  cards.forEach((card, index) => builder.addCard(pipe, card, { createdMicros: TEMPLATE_CREATED_MS * 1000 + index, phaseName: 'Triagem 🔀' }));
}

function addAllTypesPipe(builder: RecordedBuilder): void {
  const rawPipe = readRecorded<{ data: { pipe: RawPipe } }>(CD, 'pipe-one-e3d868409ecebb39e17bf56cbe372d06.json').data.pipe;
  const page = readRecorded<{ data: { cards: { edges: { node: RawCard }[]; pageInfo: { endCursor: string } } } }>(
    CD,
    'card-all_firstpage-6391824d96d9e7cd83ea277474c46368.json',
  ).data.cards;
  const cards = page.edges.map((edge) => edge.node);

  // The cursor of the last card contains its real creation time; the earlier cards are spaced back from it.
  const [createdAt] = JSON.parse(Buffer.from(page.pageInfo.endCursor, 'base64').toString('utf8')) as [string];
  const lastCreatedMicros = parseCursorTimestamp(createdAt)!;
  const firstCreatedMs = Math.floor(lastCreatedMicros / 1000) - (cards.length - 1) * CARD_SPACING_MS;
  const pipe = builder.addPipe(rawPipe, firstCreatedMs - 86_400_000, internalIdsOf(cards), null);

  cards.forEach((card, index) => {
    const createdMicros = index === cards.length - 1 ? lastCreatedMicros : (firstCreatedMs + index * CARD_SPACING_MS) * 1000;
    builder.addCard(pipe, card, { createdMicros });
  });
}

function addIncidentsPipe(builder: RecordedBuilder): void {
  const startForm = readRecorded<{ data: { pipe: { start_form_fields: RawField[] } } }>(RV, 'GET_START_FORM_FIELDS_BY_PIPE_ID.json').data.pipe.start_form_fields;
  const phases = readRecorded<{ data: { pipe: { phases: RawPhase[] } } }>(RV, 'GET_PHASES_BY_PIPE_ID.json').data.pipe.phases;
  const found = readRecorded<{ data: { findCards: { edges: { node: RawCard }[] } } }>(RV, 'SEARCH_CARD_BY_PIPE_ID_AND_FIELD.json').data.findCards.edges;
  const detail = readRecorded<{ data: { card: Record<string, unknown> & { subtitles: { name: string; array_value: string[] | null }[] } } }>(RV, 'GET_CARD_BY_ID.json').data.card;

  // This field list was recorded without types. They are those of the same template's start form
  // in pipe 304530916 of the other account: id, connector, select and long_text.
  const types: Record<string, string> = { n_mero_do_incidente: 'id', requisitado_por: 'connector', categoria: 'select', descri_o_do_incidente: 'long_text' };
  const fields = startForm.map((field) => ({ ...field, type: types[field.id], required: false }));
  const createdMs = Date.parse('2023-06-08T12:15:48Z');
  const pipe = builder.addPipe({ id: '303335871', name: found[0].node.pipe?.name ?? '[TI] Gestão de Incidentes', labels: [], start_form_fields: fields, phases }, createdMs, new Map(), 'VsIS49z6');

  for (const { node } of found) {
    const isDetailed = node.id === '728786220';
    // `card(id)` recorded the connector's `array_value` (record ids) for this card only.
    const cardFields = node.fields.map((field) => {
      const subtitle = isDetailed ? detail.subtitles.find((candidate) => candidate.name === field.name) : undefined;
      return subtitle ? { ...field, array_value: subtitle.array_value } : field;
    });
    // Card 728800313 has no recorded creation time; its fields were filled when it was created.
    const filledMs = Date.parse(node.fields[0].filled_at!);
    const updatedMs = Date.parse(node.updated_at!);
    builder.addCard(pipe, { ...node, fields: cardFields }, {
      createdMicros: (isDetailed ? Date.parse(detail.created_at as string) : filledMs) * 1000,
      updatedMs,
      phaseName: node.current_phase?.name,
      phaseEnteredMs: updatedMs,
      recordedAtMs: INCIDENTS_RECORDED_AT_MS,
      ...(isDetailed
        ? {
            creatorEmail: detail.creatorEmail as string,
            late: detail.late as boolean,
            expired: detail.expired as boolean,
            finishedAt: detail.finished_at as string | null,
          }
        : {}),
    });
  }
}

/** Record ids of the recorded "Funcionários" table, by title, for connector `array_value`s. */
function connectedRecordIds(): Map<string, string> {
  const records = readRecorded<{ data: { table_records: { edges: { node: { id: string; title: string } }[] } } }>(RV, 'GET_VALUES_FROM_A_TABLE_BY_ID.json');
  return new Map(records.data.table_records.edges.map(({ node }) => [node.title, node.id]));
}

/**
 * Builds the organization of recorded cards: organization 301345588
 * ("pessoal") with pipes 304547300, 304530915 and 303335871, no databases and
 * one member. Reads `emulator/recorded/` on each call; the result can be
 * passed to `startEmulator({ organization })`.
 */
export function recordedOrganization(options: RecordedOrganizationOptions = {}): SeedOrganization {
  const recordedOrg = readRecorded<{ data: { organization: { id: string; name: string; createdAt: string; createdBy: { id: string } } } }>(
    CD,
    'org-one-e5a46afe26957bf18b6925d622365fde.json',
  ).data.organization;

  // The organization's only member; its id is the recorded creator, the rest is filled in.
  const owner: UserData = {
    id: recordedOrg.createdBy.id,
    name: 'Person A',
    username: 'person_a',
    email: 'owner@example.com',
    displayName: 'Person A',
    avatarUrl: 'https://gravatar.com/avatar/00000000000000000000000000000000.png?s=144',
    created_at: recordedOrg.createdAt,
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    departmentKey: null,
  };
  const members = [{ role_name: 'admin', user: owner }];
  const organization: OrganizationData = {
    id: recordedOrg.id,
    uuid: fillUuid(recordedOrg.id),
    name: recordedOrg.name,
    created_at: recordedOrg.createdAt,
    role: 'admin',
    users_count: 1,
    custom_logo_url: null,
    only_admin_can_create_pipes: false,
    only_admin_can_invite_users: false,
    members,
    users: [owner],
  };

  const builder = new RecordedBuilder(organization, owner, options.companions ?? 'derived', connectedRecordIds());
  addAllTypesPipe(builder);
  addRequisitionsPipe(builder);
  addIncidentsPipe(builder);

  return {
    options: { seed: 0, pipes: builder.pipes.length, cardsPerPipe: 0, tables: 0, recordsPerTable: 0, members: 1 },
    organization,
    users: [owner],
    pipes: builder.pipes,
    tables: [],
    pipeRelations: [],
    tableRelations: [],
    // `expires_on` of the newest recorded attachment URLs; used only for cards created through the admin API.
    expiresOn: 1723057632,
    storedCards: builder.storedCards,
  };
}
