// What the refresh configuration allows during a fault, derived the way the service computes its
// delays (src/domain/backoff.ts, src/pipeline/retry-with-backoff.ts), so the suite's bounds follow
// the configuration instead of being tuned by hand. Lower bounds are configured times (a slow
// machine only makes things later); an upper bound adds what the run measured of the machine.
import type { RefreshConfig } from '../../../src/app/config.js';
import type { RequestLogEntry } from '../../../src/adapters/replay/index.js';

/** retryWithBackoff's default spread (±20%); a retry waits at least 80% of its nominal delay. */
const RETRY_JITTER = 0.2;
/** Rounding of the jittered delay to whole ms, and Node timers may fire up to 1 ms early. */
const SLACK_MS = 2;

/**
 * Shortest wait the configuration allows after the `failure`-th consecutive failure (1-based):
 * the jittered backoff delay, or Retry-After when that is longer. The service reports the failure
 * (a `failed` refresh event) just before it arms that delay, so the next attempt's request cannot
 * reach the exchange sooner than this after the event.
 */
export function shortestRetryDelayMs(failure: number, refresh: RefreshConfig, retryAfterMs = 0): number {
  const nominal = Math.min(refresh.retryInitialSeconds * 1000 * 2 ** (failure - 1), refresh.retryMaxSeconds * 1000);
  return Math.max(nominal * (1 - RETRY_JITTER), retryAfterMs) - SLACK_MS;
}

/**
 * Most failed attempts whose requests fit in `windowMs` when the exchange was healthy before it:
 * the first may come at once, each later one only after the previous attempt's least duration
 * (`attemptMs`: a timeout it must run into) and the shortest retry delay. A timeout starts a
 * little before its request reaches the exchange (the attempt's head start); only the first
 * attempt's head start can move the requests closer together in sum, so the caller passes the
 * window widened by the head start it measured for that attempt.
 */
export function maxFailedAttemptsIn(windowMs: number, refresh: RefreshConfig, retryAfterMs = 0, attemptMs = 0): number {
  let attempts = 1;
  let earliestNext = attemptMs + shortestRetryDelayMs(1, refresh, retryAfterMs);
  while (earliestNext <= windowMs) {
    attempts += 1;
    earliestNext += attemptMs + shortestRetryDelayMs(attempts, refresh, retryAfterMs);
  }
  return attempts;
}

/**
 * Most refreshes whose requests fit in `windowMs` when loads do not fail (a held load is not
 * retried): one per jittered interval. A request reaches the exchange some time after its tick
 * (waiting for a load slot, building the CCXT instance); `firstLagMs`, that time as measured for
 * the window's first request, is how much earlier than the window its tick may have come.
 */
export function maxRefreshesIn(windowMs: number, refresh: RefreshConfig, firstLagMs: number): number {
  const shortestGap = refresh.intervalSeconds * 1000 * (1 - refresh.jitterRatio) - SLACK_MS;
  return 1 + Math.floor((windowMs + firstLagMs) / shortestGap);
}

/** Gaps between consecutive entries' arrival times, in ms. */
export function gapsMs(entries: readonly RequestLogEntry[]): number[] {
  return entries.slice(1).map((entry, i) => entry.at - (entries[i]?.at ?? entry.at));
}
