/**
 * `allCards(filter: AdvancedSearch)`. The emulator accepts the card
 * attributes `updated_at`, `created_at` and `finished_at` as `field`, with
 * the operators equal, gt, gte, lt and lte on ISO-8601 values. A value
 * without an offset is read as UTC. Comparisons use whole seconds, the
 * precision of the card timestamps in responses. A node matches when its own
 * condition (if it has a field), every `AND` entry and at least one `OR`
 * entry (if any) match. Any other field name is an INVALID_INPUT error.
 */
import { invalidInputError } from './errors';
import type { CardCore } from './card-generator';

export interface AdvancedSearch {
  field?: string | null;
  operator?: 'equal' | 'gt' | 'gte' | 'lt' | 'lte' | null;
  value?: string | null;
  AND?: Array<AdvancedSearch | null> | null;
  OR?: Array<AdvancedSearch | null> | null;
}

export type CardPredicate = (core: CardCore) => boolean;

const FIELD_TIMES: Record<string, (core: CardCore) => number | null> = {
  updated_at: (core) => core.updatedMs,
  created_at: (core) => Math.floor(core.createdMicros / 1000),
  finished_at: (core) => core.finishedMs,
};

function parseFilterTime(value: string): number {
  const hasOffset = /(Z|[+-]\d{2}:?\d{2})$/i.test(value.trim());
  const ms = Date.parse(hasOffset ? value : `${value.trim().replace(' ', 'T')}Z`);
  if (Number.isNaN(ms)) throw invalidInputError(`Invalid filter value ${JSON.stringify(value)}: expected an ISO-8601 timestamp such as 2024-05-01T00:00:00Z.`);
  return Math.floor(ms / 1000);
}

function compileCondition(search: AdvancedSearch): CardPredicate {
  const field = search.field as string;
  const timeOf = FIELD_TIMES[field];
  if (!timeOf) {
    throw invalidInputError(`Unsupported filter field ${JSON.stringify(field)}: use updated_at, created_at or finished_at.`);
  }
  if (!search.operator) throw invalidInputError(`Filter on ${field} is missing an operator (equal, gt, gte, lt or lte).`);
  if (search.value == null) throw invalidInputError(`Filter on ${field} is missing a value.`);
  const bound = parseFilterTime(search.value);
  const operator = search.operator;
  return (core) => {
    const ms = timeOf(core);
    if (ms === null) return false;
    const seconds = Math.floor(ms / 1000);
    switch (operator) {
      case 'equal':
        return seconds === bound;
      case 'gt':
        return seconds > bound;
      case 'gte':
        return seconds >= bound;
      case 'lt':
        return seconds < bound;
      case 'lte':
        return seconds <= bound;
    }
  };
}

/** Compiles a filter into a predicate, throwing INVALID_INPUT on unsupported input before any paging. */
export function compileCardFilter(search: AdvancedSearch | null | undefined): CardPredicate {
  if (!search) return () => true;
  const own = search.field ? compileCondition(search) : () => true;
  const all = (search.AND ?? []).map((entry) => compileCardFilter(entry));
  const any = (search.OR ?? []).map((entry) => compileCardFilter(entry));
  return (core) => own(core) && all.every((predicate) => predicate(core)) && (any.length === 0 || any.some((predicate) => predicate(core)));
}
