import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { SlicedFanOut } from '../../src/rpc/sliced-fan-out.js';

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Busy-waits `ms`: a listener whose write takes that long. */
function spin(ms: number): void {
  for (const until = performance.now() + ms; performance.now() < until;);
}

describe('SlicedFanOut', () => {
  it('delivers every item to every listener in order, none synchronously', async () => {
    const source = new Subject<number>();
    const fanOut = new SlicedFanOut(source);
    const got: string[] = [];
    fanOut.listen((n) => got.push(`a${n}`));
    fanOut.listen((n) => got.push(`b${n}`));
    source.next(1);
    source.next(2);
    expect(got).toEqual([]);
    while (fanOut.backlog > 0) await turn();
    expect(got.filter((x) => x.startsWith('a'))).toEqual(['a1', 'a2']);
    expect(got.filter((x) => x.startsWith('b'))).toEqual(['b1', 'b2']);
  });

  it('yields to the event loop between slices of sliceMs', async () => {
    const source = new Subject<string>();
    const fanOut = new SlicedFanOut(source, 5);
    let delivered = 0;
    for (let i = 0; i < 20; i++) fanOut.listen(() => { spin(2); delivered++; });
    source.next('batch');
    const seenBetween: number[] = [];
    // Each turn of the loop sees the deliveries made so far: several turns, a few each.
    while (fanOut.backlog > 0) {
      await turn();
      seenBetween.push(delivered);
    }
    expect(delivered).toBe(20);
    expect(seenBetween.length).toBeGreaterThanOrEqual(4);
    expect(seenBetween[0]).toBeLessThan(20);
  });

  it('skips a listener removed before its turn, and listeners added later get only later items', async () => {
    const source = new Subject<number>();
    const fanOut = new SlicedFanOut(source);
    const a: number[] = [];
    const b: number[] = [];
    const removeA = fanOut.listen((n) => a.push(n));
    source.next(1);
    removeA();
    fanOut.listen((n) => b.push(n));
    source.next(2);
    while (fanOut.backlog > 0) await turn();
    expect(a).toEqual([]);
    expect(b).toEqual([2]);
  });

  it('a throwing listener does not stop the deliveries to the others', async () => {
    const source = new Subject<number>();
    const fanOut = new SlicedFanOut(source);
    const got: number[] = [];
    fanOut.listen(() => { throw new Error('broken watcher'); });
    fanOut.listen((n) => got.push(n));
    const errors: unknown[] = [];
    const onError = (error: unknown): void => { errors.push(error); };
    process.on('uncaughtException', onError);
    try {
      source.next(1);
      while (fanOut.backlog > 0) await turn();
      await turn();
    } finally {
      process.off('uncaughtException', onError);
    }
    expect(got).toEqual([1]);
    expect(errors).toHaveLength(1);
  });
});
