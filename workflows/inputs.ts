import { z } from 'zod';

/** Resources a sync can copy; organization metadata (pipes, phases, fields, labels, members) always comes along. */
export const RESOURCES = ['cards', 'table_records'] as const;
export type ResourceName = (typeof RESOURCES)[number];

const pipefyId = (what: string) =>
  z.union([z.string(), z.number().int().nonnegative()]).transform((value, context) => {
    const text = String(value).trim();
    if (!/^\d+$/.test(text)) {
      context.addIssue({ code: z.ZodIssueCode.custom, message: `${what} "${text}" is not a numeric Pipefy id, such as "301345588"` });
      return z.NEVER;
    }
    return text;
  });

const tableId = z
  .union([z.string(), z.number().int().nonnegative()])
  .transform((value) => String(value).trim())
  .refine((text) => /^[A-Za-z0-9_-]{1,64}$/.test(text), {
    message: 'must be a database id such as "VsIS49z6" (letters and digits)',
  });

const name = (what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_.-]{1,100}$/, `${what} must be a name from the worker's configuration (letters, digits, _ . -)`);

const isoTime = z
  .string()
  .refine((text) => Number.isFinite(Date.parse(text)), { message: 'must be an ISO 8601 time such as 2024-01-31T00:00:00Z' })
  .transform((text) => new Date(Date.parse(text)).toISOString());

/**
 * Input of `syncPipefyWorkflow`. Every field has a default, so `{}` typed
 * into the Temporal UI syncs everything the `default` connection's token can
 * see into the `duckdb` destination.
 */
export const syncInputSchema = z
  .object({
    /** Connection name in the worker's configuration; the token stays there. */
    connection: name('connection').default('default'),
    /** Destination name in the worker's configuration. */
    destination: name('destination').default('duckdb'),
    /** Pipe ids to sync; empty for every pipe the token can see. */
    pipeIds: z.array(pipefyId('pipeIds entry')).default([]),
    /** Database ids to sync; empty for every database the token can see. */
    tableIds: z.array(tableId).default([]),
    /** Resources to copy besides the organization metadata. */
    resources: z
      .array(z.enum(RESOURCES, { errorMap: () => ({ message: `must be one of: ${RESOURCES.join(', ')}` }) }))
      .default([...RESOURCES]),
    /**
     * `incremental` reads cards changed since the stored cursor (everything
     * on the first run); `full` reads everything and then stores the cursor.
     */
    mode: z.enum(['incremental', 'full']).default('incremental'),
    /**
     * Minutes re-read before the stored cursor on incremental syncs, to catch
     * cards whose `updated_at` was written late.
     */
    lookbackMinutes: z.number().int().min(0).max(7 * 24 * 60).default(10),
    /** Child workflows (pipes and databases) that run at once. */
    parallelism: z.number().int().min(1).max(32).default(4),
    /**
     * Hours between deletion scans of a pipe or database: a scan lists every
     * id and marks warehouse rows whose id is gone with `deleted_at`. 0 scans
     * on every sync. A scope's first sync needs no scan.
     */
    deletionScanHours: z.number().min(0).max(24 * 366).default(24),
    /** Pages per child workflow run before it continues as new. */
    pagesPerRun: z.number().int().min(1).max(2000).default(400),
    /**
     * Cards or records loaded per warehouse batch; unset takes the
     * destination's `itemsPerLoad` setting.
     */
    itemsPerLoad: z.number().int().min(1).max(50_000).optional(),
  })
  .strict();

export type SyncInput = z.input<typeof syncInputSchema>;
export type ParsedSyncInput = z.output<typeof syncInputSchema>;

/**
 * Input of `backfillPipefyWorkflow`: re-reads the cards updated in a range,
 * in windows, without reading or moving the incremental cursor. The range is
 * `from`..`to`, or, for runs started by a schedule (including a schedule
 * backfill), the `windowHours` before the run's scheduled time.
 */
export const backfillInputSchema = z
  .object({
    connection: name('connection').default('default'),
    destination: name('destination').default('duckdb'),
    pipeIds: z.array(pipefyId('pipeIds entry')).default([]),
    /** Start of the range of card `updated_at`, inclusive. */
    from: isoTime.optional(),
    /** End of the range, inclusive. */
    to: isoTime.optional(),
    /** With a schedule: the range is the `windowHours` before the scheduled start time. */
    windowHours: z.number().positive().max(24 * 366).optional(),
    /** Length of each window the range is split into; one child workflow per pipe and window. */
    windowDays: z.number().positive().max(366).default(7),
    parallelism: z.number().int().min(1).max(32).default(4),
  })
  .strict()
  .refine((input) => (input.from !== undefined && input.to !== undefined) || input.windowHours !== undefined, {
    message: 'give "from" and "to", or "windowHours" for a scheduled backfill',
    path: ['from'],
  })
  .refine((input) => !input.from || !input.to || input.from <= input.to, {
    message: '"from" must not be later than "to"',
    path: ['from'],
  });

export type BackfillInput = z.input<typeof backfillInputSchema>;
export type ParsedBackfillInput = z.output<typeof backfillInputSchema>;

/** Formats zod issues as `field: problem` for error messages. */
export function describeIssues(error: z.ZodError, validFields: string[]): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.length > 0 ? issue.path.join('.') : '(input)';
      if (issue.code === z.ZodIssueCode.unrecognized_keys) {
        return `${issue.keys.join(', ')}: unknown field; valid fields are ${validFields.join(', ')}`;
      }
      return `${path}: ${issue.message}`;
    })
    .join('; ');
}
