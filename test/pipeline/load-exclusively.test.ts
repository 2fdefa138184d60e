import { defer, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { loadExclusively } from '../../src/pipeline/load-exclusively.js';
import { retryWithBackoff } from '../../src/pipeline/retry-with-backoff.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('loadExclusively', () => {
  it('drops ticks that arrive while a load runs; the next tick after it completes loads again', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const loaded: string[] = [];
      const ticks = cold('-a-b-----c--d|');
      const load = (tick: string): Observable<string> => {
        loaded.push(tick);
        return cold('----(x|)', { x: tick.toUpperCase() });
      };
      // a loads 1→5; b (3) is dropped; c loads 9→13; d (12) is dropped; completes with the last load.
      expectObservable(ticks.pipe(loadExclusively(load))).toBe('-----A-------(C|)', { A: 'A', C: 'C' });
      flush();
      expect(loaded).toEqual(['a', 'c']);
    });
  });

  it('counts a load’s retries as part of it: ticks during the backoff are dropped too', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      let attempts = 0;
      const flaky = defer(() => (++attempts < 3 ? cold('-#') : cold('-(x|)')));
      // Tick a (1): attempts at 1 (fails at 2), 12 (fails at 13), 33 (loads at 34); the ticks at
      // 5, 20 and 30 are dropped. Tick e (38) loads at once, at 39.
      const ticks = cold('-a 3ms b 14ms c 9ms d 7ms e|');
      const load = () => flaky.pipe(retryWithBackoff({ initialMs: 10, maxMs: 100, jitterRatio: 0 }));
      expectObservable(ticks.pipe(loadExclusively(load))).toBe('34ms x 4ms (x|)');
      flush();
      expect(attempts).toBe(4);
    });
  });
});
