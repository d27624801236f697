import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { PipefyRateLimitError, PipefySyncError } from './errors';

/** Details attached to every failure an activity reports; safe to keep in history. */
export interface FailureDetails {
  context: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/**
 * Runs an activity body, heartbeating while it runs, and reports the
 * project's errors to Temporal as `ApplicationFailure`s typed by class name.
 *
 * A rate-limit error is reported non-retryable on purpose: the workflow
 * catches it and waits out `retryAfterSeconds` on a durable timer, which
 * shows in the workflow's history and progress, instead of Temporal retrying
 * the activity into a token that is still blocked.
 */
export async function reportFailures<T>(body: () => Promise<T>): Promise<T> {
  const stopHeartbeats = startHeartbeats();
  try {
    return await body();
  } catch (error) {
    if (!(error instanceof PipefySyncError)) throw error;

    const details: FailureDetails = { context: { ...error.context } };
    if (error instanceof PipefyRateLimitError) details.retryAfterSeconds = error.retryAfterSeconds;

    throw ApplicationFailure.create({
      message: error.message,
      type: error.name,
      nonRetryable: !error.retryable || error instanceof PipefyRateLimitError,
      details: [details],
    });
  } finally {
    stopHeartbeats();
  }
}

/** Interval between heartbeats, well inside the activity proxies' heartbeat timeout of 30 s. */
const HEARTBEAT_INTERVAL_MS = 5_000;

/**
 * Heartbeats every {@link HEARTBEAT_INTERVAL_MS} until the returned function
 * is called, so that Temporal notices a killed worker by the missing
 * heartbeats instead of waiting for the start-to-close timeout. Does nothing
 * outside an activity (unit tests).
 */
function startHeartbeats(): () => void {
  let context: Context;
  try {
    context = Context.current();
  } catch {
    return () => undefined;
  }
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_INTERVAL_MS);
  return () => clearInterval(timer);
}
