/**
 * Conversions from Pipefy's value encodings to the warehouse's typed forms.
 * Every function returns `null` for empty input and for input it cannot read,
 * so a malformed value never stops a load; the raw text stays in `value`.
 */

const OFFSET_PATTERN = /([zZ]|[+-]\d{2}:?\d{2})$/;
/** `YYYY-MM-DDTHH:MM:SSZ`, capturing year, month and day. */
const UTC_SECONDS_PATTERN = /^(\d{4})-(\d{2})-(\d{2})T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\dZ$/;

/**
 * Normalizes a Pipefy timestamp to ISO 8601 UTC with milliseconds. Accepts
 * `Z`, `+00:00` and `-03:00` offsets, and the schema's offset-less
 * `YYYY-MM-DD HH:MM:SS`, which Pipefy documents as UTC.
 */
export function toUtcTimestamp(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '') return null;
  // Most values already come as UTC with seconds, so only the milliseconds are missing.
  const utc = UTC_SECONDS_PATTERN.exec(value);
  if (utc && isValidDate(Number(utc[1]), Number(utc[2]), Number(utc[3]))) return `${value.slice(0, 19)}.000Z`;

  let text = value.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00';
  if (!OFFSET_PATTERN.test(text)) text += 'Z';

  const millis = Date.parse(text);
  return Number.isFinite(millis) ? new Date(millis).toISOString() : null;
}

/** Returns `YYYY-MM-DD` for an ISO date or timestamp (the date part as sent, no zone shift). */
export function toIsoDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(value.trim());
  if (!match) return null;
  return isValidDate(Number(match[1]), Number(match[2]), Number(match[3])) ? match[0] : null;
}

/** Reads a locale date `DD/MM/YYYY`, the form Pipefy uses in `value` for pt-BR organizations. */
export function parseLocaleDate(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(value.trim());
  if (!match) return toIsoDate(value);

  const [, day, month, year] = match;
  return isValidDate(Number(year), Number(month), Number(day)) ? `${year}-${month}-${day}` : null;
}

/**
 * Reads a locale date and time `DD/MM/YYYY HH:MM` as UTC.
 *
 * NOTE: the value carries no offset. In recorded responses the `due_date`
 * field's clock matched the card's UTC `due_date`, so it is read as UTC;
 * `datetime_value` from the API is preferred whenever it is present.
 */
export function parseLocaleDateTime(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const match = /^(\d{2})\/(\d{2})\/(\d{4})[ T](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(value.trim());
  if (!match) return toUtcTimestamp(value);

  const [, day, month, year, hour, minute, second = '00'] = match;
  if (!isValidDate(Number(year), Number(month), Number(day))) return null;
  return toUtcTimestamp(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

/**
 * Reads a number as an exact decimal string with a dot separator. Handles
 * `1235.32`, `350,21`, `12.000,00` and `1,234.56`: when both separators
 * appear, the last one is the decimal separator; a lone comma is decimal.
 */
export function parseDecimal(value: unknown): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? canonicalDecimal(String(value)) : null;
  if (typeof value !== 'string') return null;

  let text = value.trim().replace(/[\s\u00a0]/g, '').replace(/^R\$|^\$|^€/, '');
  if (text === '') return null;

  const lastComma = text.lastIndexOf(',');
  const lastDot = text.lastIndexOf('.');
  if (lastComma >= 0 && lastDot >= 0) {
    const decimalSeparator = lastComma > lastDot ? ',' : '.';
    const thousandsSeparator = decimalSeparator === ',' ? '.' : ',';
    text = text.split(thousandsSeparator).join('').replace(decimalSeparator, '.');
  } else if (lastComma >= 0) {
    if (text.indexOf(',') !== lastComma) return null;
    text = text.replace(',', '.');
  }

  if (!/^[+-]?\d+(\.\d+)?$/.test(text)) return null;
  return canonicalDecimal(text);
}

/** Strips a plus sign, leading zeros and trailing fractional zeros: `"012.50"` → `"12.5"`. */
export function canonicalDecimal(text: string): string {
  let [integer, fraction = ''] = text.replace(/^\+/, '').split('.');
  const negative = integer.startsWith('-');
  integer = integer.replace('-', '').replace(/^0+(?=\d)/, '');
  fraction = fraction.replace(/0+$/, '');
  const body = fraction ? `${integer}.${fraction}` : integer;
  return negative && body !== '0' ? `-${body}` : body;
}

/**
 * Reads a multi-value field. Pipefy sends lists as JSON-encoded strings
 * (`"[\"a\", \"b\"]"`, `"[]"` when cleared); `arrayValue`, the API's own
 * list, wins when present.
 */
export function parseList(value: unknown, arrayValue: unknown): unknown[] | null {
  if (Array.isArray(arrayValue)) return arrayValue;
  if (typeof value !== 'string' || value.trim() === '') return null;

  try {
    const parsed: unknown = JSON.parse(value);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    return [value];
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Checks a year, month and day of the Gregorian calendar without building a
 * Date, because {@link toUtcTimestamp} calls it for most values. Years before
 * 100 are invalid, as they were when this check went through `Date.UTC`,
 * which reads them as 1900 to 1999.
 */
function isValidDate(year: number, month: number, day: number): boolean {
  if (year < 100 || month < 1 || month > 12 || day < 1) return false;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= DAYS_IN_MONTH[month - 1] + (leap ? 1 : 0);
}
