// How long to wait before reopening a watch that ended. Exponential, so a server that is down is
// not hammered; capped, so a mirror notices a recovered server within maxMs; jittered, so the
// many mirrors a server restart disconnects at once do not all come back in the same instant.

export interface BackoffOptions {
  /** Delay before the first reconnect, in ms. */
  initialMs: number;
  /** Longest delay, in ms. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 250, maxMs: 30_000 };

/**
 * Delay before reconnect attempt `attempt` (counting from 1): initialMs × 2^(attempt − 1), capped
 * at maxMs, then drawn uniformly from its upper half ("equal jitter"). Half is kept fixed so a
 * retry never comes back almost immediately, the other half spreads the clients out.
 */
export function reconnectDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.maxMs, options.initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** Rejects settings that would spin (0 or negative) or never retry (NaN, Infinity). */
export function checkBackoff(options: BackoffOptions): BackoffOptions {
  const ok = (n: number): boolean => Number.isFinite(n) && n > 0;
  if (!ok(options.initialMs) || !ok(options.maxMs) || options.maxMs < options.initialMs) {
    throw new RangeError(`backoff needs 0 < initialMs <= maxMs (finite, in ms); got ${JSON.stringify(options)}`);
  }
  return options;
}
