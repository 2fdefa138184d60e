// What the refresh configuration allows during a fault, derived the way the service computes its
// delays (src/domain/backoff.ts, src/pipeline/retry-with-backoff.ts), so the suite's bounds follow
// the configuration instead of being tuned by hand.
import type { RefreshConfig } from '../../../src/app/config.js';
import type { RequestLogEntry } from '../../../src/adapters/replay/index.js';

/** retryWithBackoff's default spread (±20%); a retry waits at least 80% of its nominal delay. */
const RETRY_JITTER = 0.2;
/** Rounding of the jittered delay to whole ms, and Node timers may fire up to 1 ms early. */
const SLACK_MS = 2;

/**
 * Shortest time between the arrivals of an attempt ending in its `failure`-th consecutive failure
 * (1-based) and the next attempt: the attempt's own least duration (`attemptMs`: a timeout it must
 * run into), then at least the jittered backoff delay, or Retry-After when that is longer.
 */
export function shortestRetryGapMs(failure: number, refresh: RefreshConfig, retryAfterMs = 0, attemptMs = 0): number {
  const nominal = Math.min(refresh.retryInitialSeconds * 1000 * 2 ** (failure - 1), refresh.retryMaxSeconds * 1000);
  return attemptMs + Math.max(nominal * (1 - RETRY_JITTER), retryAfterMs) - SLACK_MS;
}

/**
 * Most failed attempts that fit in `windowMs` when the exchange was healthy before it: the first
 * may come at once, each later one only after the shortest gap the configuration allows.
 */
export function maxFailedAttemptsIn(windowMs: number, refresh: RefreshConfig, retryAfterMs = 0, attemptMs = 0): number {
  let attempts = 1;
  let earliestNext = shortestRetryGapMs(1, refresh, retryAfterMs, attemptMs);
  while (earliestNext <= windowMs) {
    attempts += 1;
    earliestNext += shortestRetryGapMs(attempts, refresh, retryAfterMs, attemptMs);
  }
  return attempts;
}

/**
 * Most refreshes in `windowMs` when loads do not fail (a held load is not retried): one per
 * jittered interval, plus one for a tick whose load was delayed by waiting for a load slot (its
 * successor's gap then looks shorter).
 */
export function maxRefreshesIn(windowMs: number, refresh: RefreshConfig): number {
  const shortestGap = refresh.intervalSeconds * 1000 * (1 - refresh.jitterRatio) - SLACK_MS;
  return 1 + Math.floor(windowMs / shortestGap) + 1;
}

/** Gaps between consecutive entries' arrival times, in ms. */
export function gapsMs(entries: readonly RequestLogEntry[]): number[] {
  return entries.slice(1).map((entry, i) => entry.at - (entries[i]?.at ?? entry.at));
}
