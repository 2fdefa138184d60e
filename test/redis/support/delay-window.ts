import { slowestRoundTripMs } from '../../support/machine-delay.js';

export interface RoundTripSampler {
  /** Stops sampling (after the round trip in flight) and resolves with the slowest seen, in ms. */
  stop(): Promise<number>;
}

/**
 * Times `op` back to back, 10 ms apart (a sampling interval, not a wait), from now until stopped:
 * the slowest round trip over a window, measured in the same run as the bound it goes into.
 */
export function sampleRoundTrips(op: () => Promise<unknown>): RoundTripSampler {
  let running = true;
  let slowest = 0;
  const sampling = (async () => {
    while (running) {
      slowest = Math.max(slowest, await slowestRoundTripMs(op, 1));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await sampling;
      return slowest;
    },
  };
}
