export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
  /** ±fraction of the delay drawn at random; defaults to 0.2 (±20%). */
  jitterRatio?: number;
}

/**
 * `valueMs` spread uniformly over ±`ratio` of itself (whole milliseconds), so exchanges that
 * fail or refresh together do not keep hitting the network in lockstep.
 */
export function jitter(valueMs: number, ratio: number, random: () => number = Math.random): number {
  return Math.round(valueMs * (1 + ratio * (2 * random() - 1)));
}

/** Exponential backoff: initial × 2^(attempt − 1), capped at max, then jittered. Attempts count from 1. */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const base = Math.min(settings.initialMs * 2 ** Math.max(0, attempt - 1), settings.maxMs);
  return jitter(base, settings.jitterRatio ?? 0.2, random);
}

/**
 * An HTTP Retry-After value in milliseconds: either delay-seconds ("7") or an HTTP-date
 * (a date already past means 0). Undefined when the value is neither.
 */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // HTTP-dates start with the day name; Date.parse alone would also accept "-5" or "2026-01-01".
  const at = /^[A-Za-z]{3},? /.test(text) ? Date.parse(text) : Number.NaN;
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
