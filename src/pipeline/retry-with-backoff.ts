import { asyncScheduler, retry, timer, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { backoffDelay } from '../domain/backoff.js';

export interface RetryWithBackoffOptions {
  /** Delay before the first retry; doubles on each further failure. */
  initialMs: number;
  /** Cap on the exponential delay (not on a longer Retry-After). */
  maxMs: number;
  /** ±fraction of random spread on each delay; default 0.2. */
  jitterRatio?: number;
  /** How long the failure itself asks to wait (e.g. a Retry-After header), if it says. */
  retryAfterMs?: (error: unknown) => number | undefined;
  /** Called when a retry is scheduled, with the failure, its 1-based number and the delay. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  random?: () => number;
}

/**
 * Resubscribes on every error, forever, after initial × 2^(attempt − 1) ms (capped at max,
 * jittered), or after the time the error asks for when that is longer (rate limits). A value
 * from the source counts as success: the next failure starts again at `initialMs`.
 */
export function retryWithBackoff<T>(
  options: RetryWithBackoffOptions,
  scheduler: SchedulerLike = asyncScheduler,
): MonoTypeOperatorFunction<T> {
  const { initialMs, maxMs, jitterRatio = 0.2, retryAfterMs, onRetry, random = Math.random } = options;
  return retry<T>({
    resetOnSuccess: true,
    delay: (error: unknown, attempt: number) => {
      const backoff = backoffDelay(attempt, { initialMs, maxMs, jitterRatio }, random);
      const delayMs = Math.max(backoff, retryAfterMs?.(error) ?? 0);
      onRetry?.(error, attempt, delayMs);
      return timer(delayMs, scheduler);
    },
  });
}
