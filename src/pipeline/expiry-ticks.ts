import { asyncScheduler, EMPTY, map, switchMap, timer, type OperatorFunction, type SchedulerLike } from 'rxjs';

/** A JS timer overflows past 2^31 − 1 ms (~24.8 days) and would fire at once. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The clock's ticks for one exchange: each time the source emits (armed: after a load, after a
 * tick, at start), one tick is scheduled at `nextAt()` (ms since the epoch on the scheduler's
 * clock; undefined: nothing pending), replacing the one armed before. The tick carries the time
 * to apply the clock rule at: never before the expiry, though a timer may fire a little early.
 * A delay past the timer limit is capped; that early wake-up ticks at its own time, finds
 * nothing due, and the re-arm after it waits on.
 */
export function expiryTicks(nextAt: () => number | undefined, scheduler: SchedulerLike = asyncScheduler): OperatorFunction<unknown, Date> {
  return switchMap(() => {
    const at = nextAt();
    if (at === undefined) return EMPTY;
    const wait = Math.max(0, at - scheduler.now());
    const capped = wait > MAX_TIMER_MS;
    return timer(capped ? MAX_TIMER_MS : wait, scheduler).pipe(map(() => new Date(capped ? scheduler.now() : Math.max(at, scheduler.now()))));
  });
}
