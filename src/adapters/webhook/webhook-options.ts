export interface WebhookNotifierOptions {
  /** Receiver URL; user info becomes Basic auth. Only its origin and path are ever logged. */
  url: string;
  /** HMAC key for `X-Instruments-Signature`; never logged. */
  secret: string;
  /** Per request; default 5000. */
  timeoutMs?: number;
  /** First retry delay; doubles per failed attempt (±20% jitter); default 500. */
  initialBackoffMs?: number;
  /** Cap on the doubling (a longer Retry-After still wins); default 30000. */
  maxBackoffMs?: number;
  /** Batches kept while the receiver is down, the one being delivered included; default 1000. */
  maxQueuedBatches?: number;
  /** For tests; default the global fetch. */
  fetch?: typeof fetch;
}

export interface WebhookSettings {
  timeoutMs: number;
  backoff: { initialMs: number; maxMs: number };
  maxQueuedBatches: number;
}

/** Defaults applied and every number checked, so a typo fails at start rather than on first retry. */
export function webhookSettings(options: WebhookNotifierOptions): WebhookSettings {
  if (options.secret === '') throw new Error('webhook secret must not be empty');
  const settings = {
    timeoutMs: options.timeoutMs ?? 5000,
    backoff: { initialMs: options.initialBackoffMs ?? 500, maxMs: options.maxBackoffMs ?? 30_000 },
    maxQueuedBatches: options.maxQueuedBatches ?? 1000,
  };
  const checks: [string, number, number][] = [
    ['timeoutMs', settings.timeoutMs, 1],
    ['initialBackoffMs', settings.backoff.initialMs, 1],
    ['maxBackoffMs', settings.backoff.maxMs, settings.backoff.initialMs],
    ['maxQueuedBatches', settings.maxQueuedBatches, 1],
  ];
  for (const [name, value, min] of checks) {
    if (!Number.isSafeInteger(value) || value < min) {
      throw new RangeError(`webhook ${name} must be a whole number ≥ ${min}, got ${value}`);
    }
  }
  return settings;
}
