// The suite's one way to wait: poll a probe until it yields, and when it never does, fail saying
// what was awaited and what was seen last. Outcomes are awaited, never a clock window.

/**
 * How long one wait may go on before the test calls it a failure. It is no guarantee of the
 * service (those are asserted as outcomes, or as bounds measured in the same run): it only ends a
 * test that would otherwise hang. The slowest waits seen on the 2-core machine with two CPU hogs
 * and other suites running (load average up to 16) were a child's start and a first load of
 * several recorded exchanges, in the tens of seconds; one child's start went past 45 s, so this
 * is 60 s. A broken test still fails inside its own timeout (vitest.config.ts: two waits).
 */
export const PATIENCE_MS = 60_000;

/** A probe's "not yet", carrying what it saw, for the timeout message. */
export class NotYet {
  constructor(readonly seen: unknown) {}
}
export const notYet = (seen: unknown): NotYet => new NotYet(seen);

type Ready<T> = Exclude<T, undefined | null | false | NotYet>;

export interface WaitOptions {
  /** Default PATIENCE_MS. */
  timeoutMs?: number;
  /** Between probes (a polling interval, not a wait for anything): default 10 ms. */
  everyMs?: number;
}

const describe = (seen: unknown): string => {
  if (seen instanceof Error) return `${seen.name}: ${seen.message}`;
  const text = typeof seen === 'string' ? seen : JSON.stringify(seen, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
  return text === undefined ? String(seen) : text.length > 600 ? `${text.slice(0, 600)}…` : text;
};

/**
 * Calls `probe` until it returns something other than undefined, null, false or notYet(…), and
 * returns that. A probe that throws counts as not yet (its error is what was seen). On timeout
 * it throws `waited N ms for <what>; last saw: …`.
 */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, options: WaitOptions = {}): Promise<Ready<T>> {
  const timeoutMs = options.timeoutMs ?? PATIENCE_MS;
  const everyMs = options.everyMs ?? 10;
  const started = Date.now();
  let seen: unknown = 'nothing yet (the probe never returned)';
  for (;;) {
    try {
      const value = await probe();
      if (value instanceof NotYet) seen = value.seen;
      else if (value === undefined || value === null || value === false) seen = value;
      else return value as Ready<T>;
    } catch (error) {
      seen = error;
    }
    if (Date.now() - started >= timeoutMs) throw new Error(`waited ${Date.now() - started} ms for ${what}; last saw: ${describe(seen)}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
