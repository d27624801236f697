import { ActivityFailure, ApplicationFailure, log, sleep } from '@temporalio/workflow';

/** Longest single wait; a `Retry-After` beyond it is treated as this, then asked again. */
const MAX_WAIT_SECONDS = 15 * 60;

export interface RateLimitWait {
  /** Workflow time when the wait ends, ISO UTC. */
  until: string;
  seconds: number;
}

/**
 * Runs `call`, and when Pipefy throttles it (the activity failed with
 * `PipefyRateLimitError`), waits out `Retry-After` on a durable timer and
 * calls again. The wait survives worker and server restarts and shows in the
 * workflow's history; `onWait` lets the caller expose it in progress.
 */
export async function withRateLimitWaits<T>(call: () => Promise<T>, onWait: (wait: RateLimitWait | null) => void): Promise<T> {
  for (;;) {
    try {
      const result = await call();
      onWait(null);
      return result;
    } catch (error) {
      const seconds = rateLimitSeconds(error);
      if (seconds === undefined) throw error;

      const wait = Math.min(Math.max(seconds, 1), MAX_WAIT_SECONDS);
      const until = new Date(Date.now() + wait * 1000).toISOString();
      log.warn('Pipefy throttled the token; waiting', { seconds: wait, until });
      onWait({ until, seconds: wait });
      await sleep(wait * 1000);
    }
  }
}

function rateLimitSeconds(error: unknown): number | undefined {
  if (!(error instanceof ActivityFailure)) return undefined;
  const cause = error.cause;
  if (!(cause instanceof ApplicationFailure) || cause.type !== 'PipefyRateLimitError') return undefined;

  const details = cause.details?.[0] as { retryAfterSeconds?: unknown } | undefined;
  return typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : 300;
}

/** Whether an activity failed with the given `ApplicationFailure` type. */
export function isActivityFailureOfType(error: unknown, type: string): boolean {
  return error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === type;
}
