import { describe, expect, it } from 'vitest';
import { fieldValueRow, typedFieldValue } from '../activities/warehouse/field-values';
import {
  canonicalDecimal,
  parseDecimal,
  parseList,
  parseLocaleDate,
  parseLocaleDateTime,
  toUtcTimestamp,
} from '../activities/warehouse/values';

describe('toUtcTimestamp', () => {
  it.each([
    ['2024-08-08T16:46:27Z', '2024-08-08T16:46:27.000Z'],
    ['2023-08-17T14:30:50+00:00', '2023-08-17T14:30:50.000Z'],
    ['2021-06-14T11:32:15-03:00', '2021-06-14T14:32:15.000Z'],
    ['2024-01-31 23:59:59', '2024-01-31T23:59:59.000Z'],
  ])('reads %s', (input, output) => {
    expect(toUtcTimestamp(input)).toBe(output);
  });

  it.each([[''], ['not a date'], [null], [42]])('returns null for %s', (input) => {
    expect(toUtcTimestamp(input)).toBeNull();
  });
});

describe('parseDecimal', () => {
  it.each([
    ['1235.32', '1235.32'],
    ['123456789.0001', '123456789.0001'],
    ['350,21', '350.21'],
    ['150,00', '150'],
    ['12.000,00', '12000'],
    ['1,234.56', '1234.56'],
    ['-0,5', '-0.5'],
    ['R$ 10,50', '10.5'],
  ])('reads %s', (input, output) => {
    expect(parseDecimal(input)).toBe(output);
  });

  it.each([['abc'], [''], ['1,2,3'], ['12a']])('rejects %s', (input) => {
    expect(parseDecimal(input)).toBeNull();
  });

  it('canonicalizes zeros', () => {
    expect(canonicalDecimal('007.500')).toBe('7.5');
    expect(canonicalDecimal('-0.0')).toBe('0');
  });
});

describe('locale dates', () => {
  it('reads DD/MM/YYYY', () => {
    expect(parseLocaleDate('01/08/2024')).toBe('2024-08-01');
    expect(parseLocaleDate('31/02/2024')).toBeNull();
  });

  it('reads DD/MM/YYYY HH:MM as UTC', () => {
    expect(parseLocaleDateTime('08/08/2024 16:46')).toBe('2024-08-08T16:46:00.000Z');
  });
});

describe('parseList', () => {
  it('prefers array_value', () => {
    expect(parseList('["Person B"]', ['725027027'])).toEqual(['725027027']);
  });

  it('decodes JSON-encoded strings', () => {
    expect(parseList('["2", "um"]', null)).toEqual(['2', 'um']);
    expect(parseList('[]', null)).toEqual([]);
  });
});

describe('field values', () => {
  const field = (type: string, value: string, extra: Record<string, unknown> = {}) => ({
    value,
    field: { id: 'f', type, label: 'F' },
    ...extra,
  });

  it('types each kind of field', () => {
    expect(typedFieldValue(field('currency', '350,21'))).toBe('350.21');
    expect(typedFieldValue(field('number', '1235.32'))).toBe('1235.32');
    expect(typedFieldValue(field('date', '01/08/2024'))).toBe('2024-08-01');
    expect(typedFieldValue(field('due_date', '08/08/2024 16:46'))).toBe('2024-08-08T16:46:00.000Z');
    expect(typedFieldValue(field('checklist_vertical', '["2", "um"]'))).toEqual(['2', 'um']);
    expect(typedFieldValue(field('short_text', 'texto simples'))).toBe('texto simples');
    expect(typedFieldValue(field('short_text', ''))).toBeNull();
  });

  it('prefers the API typed companions', () => {
    const value = field('datetime', '08/08/2024 16:46', { datetime_value: '2024-08-08T13:46:00-03:00' });
    expect(typedFieldValue(value)).toBe('2024-08-08T16:46:00.000Z');
  });

  it('keeps the raw value next to the typed one', () => {
    const row = fieldValueRow(field('currency', '12.000,00'), 3);
    expect(row.value).toBe('12.000,00');
    expect(row.number_value).toBe('12000');
    expect(row.position).toBe(3);
  });
});
