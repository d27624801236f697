/**
 * Timestamp formats that real Pipefy responses use. Card-level timestamps have
 * second precision and come with `Z`, `+00:00` or the organization's offset
 * (`-03:00`); only card cursors carry microseconds.
 */

/** 2024-01-01T00:00:00Z, the base date of all seeded data. */
export const SEED_BASE_MS = Date.UTC(2024, 0, 1);

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

function shifted(ms: number, offsetMinutes: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000);
}

function isoLocal(date: Date): string {
  return (
    `${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}` +
    `T${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}`
  );
}

/** Formats `2024-08-08T16:46:27Z`. */
export function formatIsoZ(ms: number): string {
  return `${isoLocal(shifted(ms, 0))}Z`;
}

/** Formats `2023-08-17T14:30:50+00:00` (offset 0) or `2021-06-14T11:32:15-03:00` (offset -180). */
export function formatIsoOffset(ms: number, offsetMinutes: number): string {
  const sign = offsetMinutes < 0 ? '-' : '+';
  const absolute = Math.abs(offsetMinutes);
  return `${isoLocal(shifted(ms, offsetMinutes))}${sign}${pad(Math.floor(absolute / 60))}:${pad(absolute % 60)}`;
}

/** Formats `YYYY-MM-DD`, the GraphQL `Date` scalar. */
export function formatIsoDate(ms: number): string {
  return isoLocal(shifted(ms, 0)).slice(0, 10);
}

/** Formats `DD/MM/YYYY`, the pt-BR display form of date field values. */
export function formatDisplayDate(ms: number): string {
  const date = shifted(ms, 0);
  return `${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}

/** Formats `DD/MM/YYYY HH:MM`, the display form of datetime and due_date field values. */
export function formatDisplayDateTime(ms: number): string {
  const date = shifted(ms, 0);
  return `${formatDisplayDate(ms)} ${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}`;
}

/** Formats the timestamp inside card cursors: `2024-08-06 16:53:24.950123000 UTC`. */
export function formatCursorTimestamp(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = micros - seconds * 1_000_000;
  return `${isoLocal(new Date(seconds * 1000)).replace('T', ' ')}.${pad(fraction, 6)}000 UTC`;
}

/** Parses the cursor timestamp back to epoch microseconds, or returns undefined when malformed. */
export function parseCursorTimestamp(text: string): number | undefined {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})\.(\d{6})000 UTC$/.exec(text);
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}Z`);
  if (Number.isNaN(ms)) return undefined;
  return ms * 1000 + Number(match[3]);
}
