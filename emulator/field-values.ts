/**
 * Card and record field values encoded the way real Pipefy responses encode
 * them. `value` is always a string, and multi-valued types are JSON arrays
 * inside that string with `", "` between elements. Numbers and dates use the
 * pt-BR display forms. The typed companions (`array_value`, `date_value`,
 * `datetime_value`, `float_value`) are set only for the types they belong to.
 */
import { chance, pick, pickSome, randomInt, randomUuid, type Random } from './prng';
import {
  formatDisplayDate,
  formatDisplayDateTime,
  formatIsoDate,
  formatIsoZ,
} from './time-format';

/** The typed parts of one `CardField` or `TableRecordField`. */
export interface EncodedFieldValue {
  value: string;
  array_value: string[] | null;
  date_value: string | null;
  datetime_value: string | null;
  float_value: number | null;
  report_value: string;
  native_value: string;
}

/** A connected record, as a connector field stores it: title in `value`, id in `array_value`. */
export interface ConnectedItem {
  id: string;
  title: string;
}

/** Everything a field value may refer to. */
export interface FieldValueContext {
  userDisplayNames: readonly string[];
  labelNames: readonly string[];
  /** Draws the records a connector field links to. */
  drawConnectedItems: (random: Random) => ConnectedItem[];
  /** Time around which date values are drawn, in epoch milliseconds. */
  aroundMs: number;
  /** Unix seconds in every signed attachment URL of the organization. */
  expiresOn: number;
}

/** Field types that Pipefy never lists in `card.fields`. */
export const DISPLAY_ONLY_TYPES = new Set(['statement', 'id']);

/** Field types whose `value` is a JSON-encoded array and whose `array_value` is set. */
export const MULTI_VALUE_TYPES = new Set([
  'checklist_vertical',
  'label_select',
  'assignee_select',
  'attachment',
  'connector',
]);

const WORDS = [
  'pedido', 'cliente', 'contrato', 'revisão', 'entrega', 'orçamento', 'suporte', 'acesso',
  'fatura', 'reunião', 'projeto', 'urgente', 'análise', 'documento', 'cadastro', 'proposta',
];
const FILE_NAMES = ['relatorio.pdf', 'contrato-assinado.pdf', 'foto01.jpg', 'planilha.xlsx', 'README', 'nota-fiscal.xml'];
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Encodes a list the way Pipefy does inside `value`: `["a", "b"]`. */
export function encodeJsonList(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(', ')}]`;
}

/** Returns a short sentence of Portuguese words. */
export function randomText(random: Random, minWords: number, maxWords: number): string {
  const count = randomInt(random, minWords, maxWords);
  const text = Array.from({ length: count }, () => pick(random, WORDS)).join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function formatCurrency(cents: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100).padStart(2, '0');
  const grouped = whole >= 1000 ? whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.') : String(whole);
  return `${grouped},${fraction}`;
}

function randomCpf(random: Random): string {
  const digits = Array.from({ length: 9 }, () => randomInt(random, 0, 9));
  for (const length of [9, 10]) {
    const sum = digits.slice(0, length).reduce((total, digit, index) => total + digit * (length + 1 - index), 0);
    const remainder = (sum * 10) % 11;
    digits.push(remainder === 10 ? 0 : remainder);
  }
  const text = digits.join('');
  return `${text.slice(0, 3)}.${text.slice(3, 6)}.${text.slice(6, 9)}-${text.slice(9)}`;
}

function randomPhone(random: Random): string {
  if (chance(random, 0.15)) return String(randomInt(random, 100000, 999999));
  return `+55 ${randomInt(random, 11, 99)} 9${randomInt(random, 1000, 9999)}-${randomInt(random, 1000, 9999)}`;
}

/** Returns a signed attachment URL: `https://app.pipefy.com/storage/v1/signed/uploads/<uuid>/<file>?expires_on=…&signature=…`. */
export function randomAttachmentUrl(random: Random, expiresOn: number): string {
  const signature = Array.from({ length: 43 }, () => pick(random, BASE64.split(''))).join('') + '=';
  const file = pick(random, FILE_NAMES);
  return (
    `https://app.pipefy.com/storage/v1/signed/uploads/${randomUuid(random)}/${file}` +
    `?expires_on=${expiresOn}&signature=${encodeURIComponent(signature)}`
  );
}

function scalar(value: string, extra: Partial<EncodedFieldValue> = {}): EncodedFieldValue {
  return {
    value,
    array_value: null,
    date_value: null,
    datetime_value: null,
    float_value: null,
    report_value: value,
    native_value: value,
    ...extra,
  };
}

function list(items: string[], arrayValue: string[] = items): EncodedFieldValue {
  return {
    ...scalar(encodeJsonList(items)),
    array_value: arrayValue,
    report_value: items.join(', '),
    native_value: items.join(', '),
  };
}

/**
 * Draws and encodes a value for a field of the given type and options.
 * Returns undefined for `statement` and `id` fields, which hold no value.
 */
export function encodeFieldValue(
  random: Random,
  type: string,
  options: readonly string[],
  context: FieldValueContext,
): EncodedFieldValue | undefined {
  const atMs = context.aroundMs + randomInt(random, -20, 40) * 86_400_000 + randomInt(random, 0, 86_399) * 1000;

  switch (type) {
    case 'short_text':
      return scalar(randomText(random, 1, 4));
    case 'long_text':
      return scalar(`${randomText(random, 6, 14)}.\n\n${randomText(random, 3, 8)}.`);
    case 'number': {
      const decimals = randomInt(random, 0, 4);
      const number = Number((random() * 100000).toFixed(decimals));
      return scalar(number.toFixed(decimals), { float_value: number });
    }
    case 'currency': {
      const cents = chance(random, 0.1) ? randomInt(random, 1000, 50000) * 100 : randomInt(random, 100, 99999);
      return scalar(formatCurrency(cents), { float_value: cents / 100 });
    }
    case 'date':
      return scalar(formatDisplayDate(atMs), { date_value: formatIsoDate(atMs) });
    case 'datetime':
    case 'due_date':
      return scalar(formatDisplayDateTime(atMs), { datetime_value: formatIsoZ(atMs) });
    case 'time':
      return scalar(`${String(randomInt(random, 0, 23)).padStart(2, '0')}:${String(randomInt(random, 0, 59)).padStart(2, '0')}`);
    case 'email':
      return scalar(`${pick(random, ['ana', 'bruno', 'carla', 'diego', 'elisa'])}.${randomInt(random, 1, 999)}@example.com`);
    case 'phone':
      return scalar(randomPhone(random));
    case 'cpf':
      return scalar(randomCpf(random));
    case 'select':
    case 'radio_vertical':
    case 'radio_horizontal':
      return scalar(pick(random, options));
    case 'checklist_vertical':
      return list(pickSome(random, options, randomInt(random, 1, options.length)).sort());
    case 'label_select':
      return list(pickSome(random, context.labelNames, randomInt(random, 0, 2)));
    case 'assignee_select':
      return list(pickSome(random, context.userDisplayNames, randomInt(random, 1, 2)));
    case 'attachment':
      return list(Array.from({ length: randomInt(random, 1, 2) }, () => randomAttachmentUrl(random, context.expiresOn)));
    case 'connector': {
      const items = context.drawConnectedItems(random);
      return list(
        items.map((item) => item.title),
        items.map((item) => item.id),
      );
    }
    default:
      return undefined;
  }
}
