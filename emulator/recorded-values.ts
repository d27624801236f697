/**
 * Typed companions of recorded card field values. Most recorded fields carry
 * `value` only. The recorded `findCards` fields of pipe 303335871 also carry
 * `native_value`, `report_value` and null typed companions. For the rest,
 * this module derives `array_value`, `date_value`, `datetime_value`,
 * `float_value`, `report_value` and `native_value` from `value` the way
 * `field-values.ts` pairs them for generated cards.
 */
import { MULTI_VALUE_TYPES, type EncodedFieldValue } from './field-values';

/** Source of the typed companions a recording lacks: derived from `value`, or left null. */
export type CompanionMode = 'derived' | 'recorded';

/** The parts of a recorded field value that a recording may contain. */
export interface RecordedFieldValue {
  value: string;
  array_value?: string[] | null;
  date_value?: string | null;
  datetime_value?: string | null;
  float_value?: number | null;
  report_value?: string;
  native_value?: string;
}

const DISPLAY_DATE = /^(\d{2})\/(\d{2})\/(\d{4})$/;
const DISPLAY_DATE_TIME = /^(\d{2})\/(\d{2})\/(\d{4}) (\d{2}):(\d{2})$/;

/** Reads `350,21` or `12.000,00` (currency) and `1235.32` (number) as a JavaScript number. */
function displayNumber(type: string, value: string): number | null {
  const text = type === 'currency' ? value.replace(/\./g, '').replace(',', '.') : value;
  const number = Number(text);
  return text.trim() !== '' && Number.isFinite(number) ? number : null;
}

/**
 * Derives the typed companions from `value`. A `datetime` or `due_date`
 * value has minute precision (`08/08/2024 16:46`), so `datetime_value` gets
 * `:00` seconds, read as UTC like the card's `due_date` it matches.
 * `connectedIds` maps a connected record's title to its id, because a
 * connector's `array_value` contains record ids where `value` contains titles.
 */
function derivedCompanions(type: string, value: string, connectedIds: ReadonlyMap<string, string>): Omit<EncodedFieldValue, 'value'> {
  const companions: Omit<EncodedFieldValue, 'value'> = {
    array_value: null,
    date_value: null,
    datetime_value: null,
    float_value: null,
    report_value: value,
    native_value: value,
  };

  if (MULTI_VALUE_TYPES.has(type)) {
    const items = JSON.parse(value) as string[];
    companions.array_value = type === 'connector' ? items.map((title) => connectedIds.get(title) ?? title) : items;
    companions.report_value = items.join(', ');
    companions.native_value = items.join(', ');
  } else if (type === 'number' || type === 'currency') {
    companions.float_value = displayNumber(type, value);
  } else if (type === 'date') {
    const match = DISPLAY_DATE.exec(value);
    if (match) companions.date_value = `${match[3]}-${match[2]}-${match[1]}`;
  } else if (type === 'datetime' || type === 'due_date') {
    const match = DISPLAY_DATE_TIME.exec(value);
    if (match) companions.datetime_value = `${match[3]}-${match[2]}-${match[1]}T${match[4]}:${match[5]}:00Z`;
  }
  return companions;
}

/**
 * Completes a recorded field value. Companions the recording has are kept as
 * recorded. Missing ones are derived from `value` in `derived` mode. In
 * `recorded` mode the typed ones (`array_value`, `date_value`,
 * `datetime_value`, `float_value`) stay null, as on the recorded `findCards`
 * string fields, but `report_value` and `native_value` are still derived.
 */
export function completeFieldValue(
  type: string,
  recorded: RecordedFieldValue,
  mode: CompanionMode,
  connectedIds: ReadonlyMap<string, string>,
): EncodedFieldValue {
  const derived = derivedCompanions(type, recorded.value, connectedIds);
  const typed = (key: 'array_value' | 'date_value' | 'datetime_value' | 'float_value') => {
    if (key in recorded) return recorded[key] ?? null;
    return mode === 'derived' ? derived[key] : null;
  };

  return {
    value: recorded.value,
    array_value: typed('array_value') as string[] | null,
    date_value: typed('date_value') as string | null,
    datetime_value: typed('datetime_value') as string | null,
    float_value: typed('float_value') as number | null,
    report_value: recorded.report_value ?? derived.report_value,
    native_value: recorded.native_value ?? derived.native_value,
  };
}
