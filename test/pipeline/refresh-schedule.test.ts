import { take } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { refreshSchedule } from '../../src/pipeline/refresh-schedule.js';
import { stubRandom } from './stub-random.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const ticks = { a: 0, b: 1, c: 2, d: 3 };

describe('refreshSchedule', () => {
  it('without jitter or first delay: ticks at once, then every interval', () => {
    testScheduler().run(({ expectObservable }) => {
      const schedule = refreshSchedule({ intervalMs: 1000, jitterRatio: 0 }, () => 0.5);
      expectObservable(schedule.pipe(take(4))).toBe('a 999ms b 999ms c 999ms (d|)', ticks);
    });
  });

  it('draws the first delay in [0, firstDelayMaxMs] and each gap anew within ±jitter', () => {
    testScheduler().run(({ expectObservable }) => {
      // first: 0.25 × 400 = 100; gaps: 1000 × (1 ± 0.1): random 0 → 900, 1 → 1100, 0.75 → 1050.
      const random = stubRandom(0.25, 0, 1, 0.75);
      const schedule = refreshSchedule({ intervalMs: 1000, jitterRatio: 0.1, firstDelayMaxMs: 400 }, random);
      expectObservable(schedule.pipe(take(4))).toBe('100ms a 899ms b 1099ms c 1049ms (d|)', ticks);
    });
  });

  it('gives each subscriber its own draws, at its own subscription time', () => {
    testScheduler().run(({ expectObservable }) => {
      // Draws in time order: first subscriber's first delay (t=0: 1 → 100), the second's first
      // delay and gap (t=10: 0 → 0, 0.5 → 100), the first's gap (t=100: 0.5 → 100).
      const schedule = refreshSchedule({ intervalMs: 100, jitterRatio: 0.5, firstDelayMaxMs: 100 }, stubRandom(1, 0, 0.5, 0.5));
      expectObservable(schedule.pipe(take(2))).toBe('100ms a 99ms (b|)', ticks);
      expectObservable(schedule.pipe(take(2)), '10ms ^').toBe('10ms a 99ms (b|)', ticks);
    });
  });

  it('refuses settings that would tick without pause or outside ±100%', () => {
    expect(() => refreshSchedule({ intervalMs: 0, jitterRatio: 0.1 })).toThrow(/intervalMs must be > 0/);
    expect(() => refreshSchedule({ intervalMs: 1000, jitterRatio: 1 })).toThrow(/jitterRatio must be in \[0, 1\)/);
    expect(() => refreshSchedule({ intervalMs: 1000, jitterRatio: 0, firstDelayMaxMs: -1 })).toThrow(/firstDelayMaxMs/);
  });
});
