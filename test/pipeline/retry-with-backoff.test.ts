import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { retryWithBackoff } from '../../src/pipeline/retry-with-backoff.js';
import { stubRandom } from './stub-random.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** Subscribes to the sources in turn, one per attempt (the last one for any further attempt). */
function attempts<T>(...sources: Observable<T>[]): Observable<T> {
  let attempt = 0;
  return defer(() => sources[Math.min(attempt++, sources.length - 1)] ?? []);
}

describe('retryWithBackoff', () => {
  it('retries forever after 1 s, 2 s, 4 s, then the 4 s cap', () => {
    const retries: [number, number][] = [];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#');
      const retried = failing.pipe(retryWithBackoff({
        initialMs: 1000, maxMs: 4000, jitterRatio: 0, onRetry: (_e, attempt, delayMs) => retries.push([attempt, delayMs]),
      }));
      expectObservable(retried, '^ 12000ms !').toBe('');
      // Each attempt fails 1 ms after it starts; the next starts one delay later.
      expectSubscriptions(failing.subscriptions).toBe(['^!', '1001ms ^!', '3002ms ^!', '7003ms ^!', '11004ms ^!']);
    });
    // The fifth failure (11005) is reported; its retry (15005) comes after the unsubscription.
    expect(retries).toEqual([[1, 1000], [2, 2000], [3, 4000], [4, 4000], [5, 4000]]);
  });

  it('reports each retry with its number and delay, jittered by the given random', () => {
    const retries: [number, number][] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      // ±20%: random 0 → ×0.8, 1 → ×1.2, 0.5 → ×1.
      const retried = cold('-#').pipe(retryWithBackoff({
        initialMs: 1000, maxMs: 4000, random: stubRandom(0, 1, 0.5), onRetry: (_e, attempt, delayMs) => retries.push([attempt, delayMs]),
      }));
      expectObservable(retried, '^ 7000ms !').toBe('');
    });
    expect(retries).toEqual([[1, 800], [2, 2400], [3, 4000]]);
  });

  it('waits at least as long as the error asks (Retry-After), never less than the backoff', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const limited = Object.assign(new Error('429'), { retryAfterMs: 7000 });
      const brief = Object.assign(new Error('429'), { retryAfterMs: 500 });
      const first = cold('-#', undefined, limited);
      const second = cold('-#', undefined, brief);
      const third = cold('-(x|)');
      const retried = attempts(first, second, third).pipe(retryWithBackoff({
        initialMs: 1000, maxMs: 4000, jitterRatio: 0,
        retryAfterMs: (error) => (error as { retryAfterMs?: number }).retryAfterMs,
      }));
      // 7000 (Retry-After) instead of 1000; then 2000 (backoff) instead of 500.
      expectObservable(retried).toBe('9003ms (x|)');
      expectSubscriptions(second.subscriptions).toBe('7001ms ^!');
      expectSubscriptions(third.subscriptions).toBe('9002ms ^!');
    });
  });

  it('starts again from the initial delay after a success', () => {
    const retries: [number, number][] = [];
    testScheduler().run(({ cold, expectObservable }) => {
      const retried = attempts(cold('-#'), cold('-#'), cold('-a#'), cold('-#'), cold('-(b|)')).pipe(retryWithBackoff({
        initialMs: 1000, maxMs: 8000, jitterRatio: 0, onRetry: (_e, attempt, delayMs) => retries.push([attempt, delayMs]),
      }));
      // Attempts start at 0, 1001, 3002 (emits a at 3003, fails at 3004), 4004, 6005.
      expectObservable(retried).toBe('3003ms a 3002ms (b|)');
    });
    expect(retries).toEqual([[1, 1000], [2, 2000], [1, 1000], [2, 2000]]);
  });
});
