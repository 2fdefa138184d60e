import { asyncScheduler, concat, defer, map, repeat, timer, type Observable, type SchedulerLike } from 'rxjs';
import { jitter } from '../domain/backoff.js';

export interface RefreshScheduleOptions {
  /** Mean time between ticks. */
  intervalMs: number;
  /** Each gap is intervalMs × (1 ± jitterRatio), drawn anew, e.g. 0.1 = ±10%. */
  jitterRatio: number;
  /** The first tick comes after a random delay in [0, firstDelayMaxMs]; default 0 (at once). */
  firstDelayMaxMs?: number;
}

/**
 * Ticks 0, 1, 2, … for one exchange's refreshes. The random first delay spreads exchanges
 * started together; the jittered gaps keep them from drifting back into lockstep.
 * Delays are drawn per subscription, so every subscriber gets its own schedule.
 */
export function refreshSchedule(
  options: RefreshScheduleOptions,
  random: () => number = Math.random,
  scheduler: SchedulerLike = asyncScheduler,
): Observable<number> {
  const { intervalMs, jitterRatio, firstDelayMaxMs = 0 } = options;
  // A zero gap would tick forever without yielding (and hang a virtual-time test).
  if (!(intervalMs > 0)) throw new RangeError(`intervalMs must be > 0, got ${intervalMs}`);
  if (!(jitterRatio >= 0 && jitterRatio < 1)) throw new RangeError(`jitterRatio must be in [0, 1), got ${jitterRatio}`);
  if (!(firstDelayMaxMs >= 0)) throw new RangeError(`firstDelayMaxMs must be >= 0, got ${firstDelayMaxMs}`);

  const after = (delayMs: () => number) => defer(() => timer(delayMs(), scheduler));
  return concat(
    after(() => Math.round(firstDelayMaxMs * random())),
    after(() => jitter(intervalMs, jitterRatio, random)).pipe(repeat()),
  ).pipe(map((_, tick) => tick));
}
