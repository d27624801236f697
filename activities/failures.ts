import { ApplicationFailure } from '@temporalio/common';
import { PipefyRateLimitError, PipefySyncError } from './errors';

/** Details attached to every failure an activity reports; safe to keep in history. */
export interface FailureDetails {
  context: Record<string, unknown>;
  retryAfterSeconds?: number;
}

/**
 * Runs an activity body and reports the project's errors to Temporal as
 * `ApplicationFailure`s typed by class name.
 *
 * A rate-limit error is reported non-retryable on purpose: the workflow
 * catches it and waits out `retryAfterSeconds` on a durable timer, which
 * shows in the workflow's history and progress, instead of Temporal retrying
 * the activity into a token that is still blocked.
 */
export async function reportFailures<T>(body: () => Promise<T>): Promise<T> {
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
  }
}
