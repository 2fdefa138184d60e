// What the machine itself adds to a time bound, measured in the same run: how late timers fire
// (scheduling and CPU contention) and how long a no-op round trip takes. A test whose guarantee is
// a time (a lease handover) asserts "configured time + measured delay", never a guessed margin.
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface DelayProbe {
  /** The latest any timer of this process fired since the probe started (or was reset), in ms. */
  maxLagMs(): number;
  reset(): void;
  stop(): void;
}

/** Samples this process's timer lateness every 10 ms until stopped. */
export function startDelayProbe(): DelayProbe {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    // The histogram counts nanoseconds; its max includes the 10 ms sampling resolution.
    maxLagMs: () => (histogram.count === 0 ? 0 : histogram.max / 1e6),
    reset: () => histogram.reset(),
    stop: () => histogram.disable(),
  };
}

/** The slowest of `samples` sequential runs of `op`, in ms: a measured round trip. */
export async function slowestRoundTripMs(op: () => Promise<unknown>, samples = 5): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < samples; i++) {
    const started = performance.now();
    await op();
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

/**
 * A served process's own timer lateness since its previous scrape, in ms, from its ops port
 * (prom-client's instruments_nodejs_eventloop_lag_max_seconds, reset at every scrape).
 */
export async function servedLagMs(httpPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
  const value = /^instruments_nodejs_eventloop_lag_max_seconds (\S+)$/m.exec(text)?.[1];
  if (value === undefined) throw new Error(`no instruments_nodejs_eventloop_lag_max_seconds on 127.0.0.1:${httpPort}/metrics`);
  return Number(value) * 1000;
}
