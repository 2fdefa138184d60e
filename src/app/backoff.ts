export interface BackoffSettings {
  initialMs: number;
  maxMs: number;
}

/** Exponential backoff with ±20% jitter, so failing exchanges do not retry in lockstep. */
export function backoffDelay(attempt: number, settings: BackoffSettings, random: () => number = Math.random): number {
  const base = Math.min(settings.initialMs * 2 ** Math.max(0, attempt - 1), settings.maxMs);
  return Math.round(base * (0.8 + 0.4 * random()));
}
