/**
 * Syncs the organization of recorded Pipefy cards (`emulator/recorded/`)
 * through Temporal into DuckDB and checks each loaded field value against the
 * recorded string. Expected typed values are computed here from the recorded
 * text with plain string operations, never with the connector's parsers.
 *
 * Each check runs twice: with the typed companions (`date_value`,
 * `float_value`, ...) derived by the emulator, and with them left null as the
 * recorded string fields have them, so the connector must read `value`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordedOrganization } from '../emulator';
import { type DevServer, startTemporalDevServer } from '../scripts/local-temporal';
import { syncPipefyWorkflow } from '../workflows';
import { startSyncStack } from './support/sync-stack';

type Row = Record<string, unknown>;
type CompanionMode = 'derived' | 'recorded';

const RECORDED = path.join(__dirname, '..', 'emulator', 'recorded');
const MODES: CompanionMode[] = ['derived', 'recorded'];
const PIPE_IDS = ['304547300', '304530915', '303335871'];

/** Every field type that occurs in the recorded card values. */
const RECORDED_TYPES = [
  'short_text', 'long_text', 'number', 'currency', 'date', 'datetime', 'due_date', 'time', 'email', 'phone', 'cpf',
  'select', 'radio_vertical', 'radio_horizontal', 'checklist_vertical', 'label_select', 'assignee_select', 'attachment', 'connector',
];
const DECIMAL_TYPES = ['number', 'currency'];
const LIST_TYPES = ['checklist_vertical', 'label_select', 'assignee_select', 'attachment', 'connector'];

/** Types of the pipe 303335871 fields, whose recording gives no types (same template as pipe 304530916). */
const INCIDENT_FIELD_TYPES: Record<string, string> = {
  requisitado_por: 'connector',
  categoria: 'select',
  descri_o_do_incidente: 'long_text',
};

interface RecordedValue {
  pipeId: string;
  cardId: string;
  fieldId: string;
  type: string;
  value: string;
}

interface RecordedCard {
  pipeId: string;
  id: string;
  dueDate: string | null;
  labelIds: string[];
  fieldIds: string[];
}

interface Loaded {
  cards: Row[];
  fields: Row[];
  labels: Row[];
  wide: Record<string, Row[]>;
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(path.join(RECORDED, file), 'utf8'));
}

/** Reads the recorded cards and field values straight from the recorded files. */
function readRecordedCards(): { cards: RecordedCard[]; values: RecordedValue[] } {
  const cards: RecordedCard[] = [];
  const values: RecordedValue[] = [];
  const add = (pipeId: string, node: any, fieldOf: (field: any) => { id: string; type: string }) => {
    const fields = node.fields.map((field: any) => ({ ...fieldOf(field), value: field.value as string }));
    cards.push({
      pipeId,
      id: node.id,
      dueDate: node.due_date ?? null,
      labelIds: (node.labels ?? []).map((label: any) => label.id),
      fieldIds: fields.map((field: any) => field.id),
    });
    for (const field of fields) values.push({ pipeId, cardId: node.id, fieldId: field.id, type: field.type, value: field.value });
  };

  const page = readJson('cliente-digital__pipefy/card-all_firstpage-6391824d96d9e7cd83ea277474c46368.json');
  for (const edge of page.data.cards.edges) add('304547300', edge.node, (field) => field.field);
  for (const edge of readJson('cliente-digital__pipefy/pipe-304530915.cards.json')) add('304530915', edge.node, (field) => field.field);

  const startForm = readJson('Racchel__spike-gd-pipefy/GET_START_FORM_FIELDS_BY_PIPE_ID.json').data.pipe.start_form_fields;
  const idByIndexName = new Map<string, string>(startForm.map((field: any) => [field.index_name, field.id]));
  for (const edge of readJson('Racchel__spike-gd-pipefy/SEARCH_CARD_BY_PIPE_ID_AND_FIELD.json').data.findCards.edges) {
    add('303335871', edge.node, (field) => {
      const id = idByIndexName.get(field.indexName)!;
      return { id, type: INCIDENT_FIELD_TYPES[id] };
    });
  }
  return { cards, values };
}

/** `350,21` → `350.21`, `150,00` → `150`, `123456789.0001` stays: the canonical decimal text. */
function expectedDecimal(type: string, value: string): string {
  const dotted = type === 'currency' ? value.split('.').join('').replace(',', '.') : value;
  return dotted.includes('.') ? dotted.replace(/0+$/, '').replace(/\.$/, '') : dotted;
}

/** `01/08/2024` → `2024-08-01`. */
function expectedDate(value: string): string {
  return value.split('/').reverse().join('-');
}

/** `08/08/2024 16:46` → `2024-08-08T16:46:00.000Z`: the clock is UTC, as the card's `due_date` shows. */
function expectedTimestamp(value: string): string {
  const [date, time] = value.split(' ');
  return `${expectedDate(date)}T${time}:00.000Z`;
}

/** Computes the typed columns of a `card_fields` row for a recorded value; all null for text types. */
function expectedTypedColumns(recorded: RecordedValue, arrayValue: unknown) {
  const { type, value } = recorded;
  const isDate = type === 'date';
  const isTimestamp = type === 'datetime' || type === 'due_date';
  // A connector's `array_value` contains record ids, not the titles in `value`, and the connector prefers it when sent.
  let list: unknown = null;
  if (LIST_TYPES.includes(type)) list = type === 'connector' && Array.isArray(arrayValue) ? arrayValue : JSON.parse(value);
  return {
    number_value: DECIMAL_TYPES.includes(type) ? expectedDecimal(type, value) : null,
    date_parsed: isDate ? expectedDate(value) : null,
    datetime_parsed: isTimestamp ? expectedTimestamp(value) : null,
    list_value: list,
  };
}

/** Computes a field's cell in the pipe's wide table: the typed value, or the text itself. */
function expectedWideValue(recorded: RecordedValue, arrayValue: unknown): unknown {
  const typed = expectedTypedColumns(recorded, arrayValue);
  return typed.number_value ?? typed.date_parsed ?? typed.datetime_parsed ?? typed.list_value ?? recorded.value;
}

const recorded = readRecordedCards();
const loaded = new Map<CompanionMode, Loaded>();
let temporal: DevServer | undefined;

async function syncRecorded(mode: CompanionMode): Promise<Loaded> {
  const stack = await startSyncStack({ temporal, emulator: { organization: recordedOrganization({ companions: mode }) } });
  try {
    await stack.client.workflow.execute(syncPipefyWorkflow, {
      taskQueue: stack.config.temporal.taskQueue,
      workflowId: stack.uniqueId(`recorded-${mode}`),
      args: [{}],
    });
    const warehouse = await stack.openWarehouse();
    try {
      const wide: Record<string, Row[]> = {};
      for (const pipeId of PIPE_IDS) wide[pipeId] = await warehouse.readRows(`pipe_${pipeId}_cards`, ['card_id']);
      return {
        cards: await warehouse.readRows('cards', ['id']),
        fields: await warehouse.readRows('card_fields', ['card_id', 'field_id']),
        labels: await warehouse.readRows('card_labels', ['card_id', 'position']),
        wide,
      };
    } finally {
      await warehouse.close();
    }
  } finally {
    await stack.stop();
  }
}

beforeAll(async () => {
  temporal = await startTemporalDevServer();
  for (const mode of MODES) loaded.set(mode, await syncRecorded(mode));
});

afterAll(async () => {
  await temporal?.stop();
});

function fieldRow(data: Loaded, value: RecordedValue): Row {
  const row = data.fields.find((candidate) => candidate.card_id === value.cardId && candidate.field_id === value.fieldId);
  expect(row, `card_fields row of card ${value.cardId}, field ${value.fieldId}`).toBeDefined();
  return row!;
}

function valuesOfTypes(types: string[]): RecordedValue[] {
  return recorded.values.filter((value) => types.includes(value.type));
}

describe.each(MODES)('recorded cards with %s companions', (mode) => {
  const data = () => loaded.get(mode)!;

  it('covers every recorded field type', () => {
    expect([...new Set(recorded.values.map((value) => value.type))].sort()).toEqual([...RECORDED_TYPES].sort());
    expect(new Set(data().fields.map((row) => row.type))).toEqual(new Set(RECORDED_TYPES));
  });

  it('loads one row per recorded card and value', () => {
    expect(data().cards.map((card) => card.id).sort()).toEqual(recorded.cards.map((card) => card.id).sort());
    expect(data().fields).toHaveLength(recorded.values.length);
  });

  it('keeps every value byte for byte', () => {
    for (const value of recorded.values) {
      expect({ card: value.cardId, field: value.fieldId, value: fieldRow(data(), value).value }).toEqual({
        card: value.cardId,
        field: value.fieldId,
        value: value.value,
      });
    }
  });

  it.each(RECORDED_TYPES)('types %s values', (type) => {
    const values = valuesOfTypes([type]);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) {
      const row = fieldRow(data(), value);
      const typed = {
        number_value: row.number_value,
        date_parsed: row.date_parsed,
        datetime_parsed: row.datetime_parsed,
        list_value: row.list_value,
      };
      expect({ card: value.cardId, field: value.fieldId, value: value.value, ...typed }).toEqual({
        card: value.cardId,
        field: value.fieldId,
        value: value.value,
        ...expectedTypedColumns(value, row.array_value),
      });
    }
  });

  it('reads currency with a comma decimal', () => {
    const row = (cardId: string) => data().fields.find((field) => field.card_id === cardId && field.field_id === 'moeda');

    expect(row('968122385')?.number_value).toBe('350.21');
    expect(row('970411770')?.number_value).toBe('150');
    expect(data().fields.find((field) => field.card_id === '970411770' && field.field_id === 'numero')?.number_value).toBe('123456789.0001');
  });

  it('loads cleared multi-selects as empty lists', () => {
    const cleared = recorded.values.filter((value) => value.value === '[]');
    expect(cleared.length).toBe(3);
    for (const value of cleared) {
      expect(fieldRow(data(), value).list_value).toEqual([]);
      const wideRow = data().wide[value.pipeId].find((row) => row.card_id === value.cardId);
      expect(wideRow?.[value.fieldId]).toEqual([]);
    }
  });

  it('keeps the connector record ids apart from titles', () => {
    const row = data().fields.find((field) => field.card_id === '728786220' && field.field_id === 'requisitado_por');

    expect(row?.value).toBe('["Person B"]');
    expect(row?.array_value).toEqual(['725027027']);
    expect(row?.report_value).toBe('Person B');
  });

  it('fills the wide table per field id', () => {
    for (const value of recorded.values) {
      const wideRow = data().wide[value.pipeId].find((row) => row.card_id === value.cardId);
      const arrayValue = fieldRow(data(), value).array_value;
      expect({ card: value.cardId, field: value.fieldId, wide: wideRow?.[value.fieldId] }).toEqual({
        card: value.cardId,
        field: value.fieldId,
        wide: expectedWideValue(value, arrayValue),
      });
    }
  });

  it('leaves unfilled fields NULL in the wide table', () => {
    let checked = 0;
    for (const card of recorded.cards) {
      const wideRow = data().wide[card.pipeId].find((row) => row.card_id === card.id);
      expect(wideRow, `wide row of card ${card.id}`).toBeDefined();
      for (const [column, cell] of Object.entries(wideRow!)) {
        if (column === 'card_id' || column.startsWith('_') || card.fieldIds.includes(column)) continue;
        expect({ card: card.id, column, cell }).toEqual({ card: card.id, column, cell: null });
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('stores no field rows for cards without fields', () => {
    const empty = recorded.cards.filter((card) => card.fieldIds.length === 0);
    expect(empty.length).toBe(6);
    for (const card of empty) expect(data().fields.filter((row) => row.card_id === card.id)).toEqual([]);
  });

  it('normalizes card due dates to UTC', () => {
    for (const card of recorded.cards) {
      const row = data().cards.find((candidate) => candidate.id === card.id);
      const expected = card.dueDate === null ? null : card.dueDate.replace('Z', '.000Z');
      expect({ card: card.id, due_date: row?.due_date }).toEqual({ card: card.id, due_date: expected });
    }
  });

  it('matches the due_date field to the card due date to the minute', () => {
    for (const value of valuesOfTypes(['due_date'])) {
      const card = data().cards.find((row) => row.id === value.cardId);
      if (card?.due_date === null) continue;
      expect(String(card?.due_date).slice(0, 16)).toBe(String(fieldRow(data(), value).datetime_parsed).slice(0, 16));
    }
  });

  it('normalizes card timestamps to ISO UTC', () => {
    const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
    for (const card of data().cards) {
      for (const column of ['created_at', 'updated_at', 'started_current_phase_at']) expect(String(card[column])).toMatch(iso);
    }
    const incident = data().cards.find((card) => card.id === '728786220');
    expect(incident?.created_at).toBe('2023-06-16T06:36:46.000Z');
    expect(incident?.updated_at).toBe('2023-06-16T07:03:33.000Z');
    expect(incident?.finished_at).toBeNull();
  });

  it('loads the recorded labels in order', () => {
    for (const card of recorded.cards) {
      const labelIds = data().labels.filter((row) => row.card_id === card.id).map((row) => row.label_id);
      expect({ card: card.id, labelIds }).toEqual({ card: card.id, labelIds: card.labelIds });
    }
  });
});
