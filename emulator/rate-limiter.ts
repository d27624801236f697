/**
 * Per-token request budget with a sliding window, as Pipefy enforces it:
 * about 500 requests per 30 seconds, then the token is blocked for about
 * 5 minutes. Throttled requests do not count against the window.
 */

export interface RateLimitOptions {
  /** Requests allowed per window; 0 or Infinity turns the limit off. */
  budget: number;
  windowSeconds: number;
  /** How long a token stays blocked after it exceeds the budget. */
  blockSeconds: number;
}

export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class RateLimiter {
  private readonly requestTimes = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly options: RateLimitOptions) {}

  /** Records a request at `nowMs` and returns whether it may proceed. */
  take(token: string, nowMs: number): RateDecision {
    const { budget, windowSeconds, blockSeconds } = this.options;
    if (!budget || !Number.isFinite(budget)) return { allowed: true };

    const blockedUntil = this.blockedUntil.get(token);
    if (blockedUntil !== undefined) {
      if (nowMs < blockedUntil) return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((blockedUntil - nowMs) / 1000)) };
      this.blockedUntil.delete(token);
      this.requestTimes.delete(token);
    }

    const windowStart = nowMs - windowSeconds * 1000;
    const times = (this.requestTimes.get(token) ?? []).filter((time) => time > windowStart);
    if (times.length >= budget) {
      this.blockedUntil.set(token, nowMs + blockSeconds * 1000);
      this.requestTimes.set(token, times);
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(blockSeconds)) };
    }
    times.push(nowMs);
    this.requestTimes.set(token, times);
    return { allowed: true };
  }
}
