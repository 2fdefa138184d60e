import { merge, NEVER, Observable, Subject, throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { LoadSlots } from '../../src/pipeline/load-slots.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('LoadSlots', () => {
  it('with 2 slots, a third load waits and starts when the first one completes', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slots = new LoadSlots(2);
      const one = cold('---(a|)');
      const two = cold('-----(b|)');
      const three = cold('---(c|)');
      const all = merge(slots.run(() => one), slots.run(() => two), slots.run(() => three));
      expectObservable(all).toBe('---a-b(c|)');
      expectSubscriptions(one.subscriptions).toBe('^--!');
      expectSubscriptions(two.subscriptions).toBe('^----!');
      expectSubscriptions(three.subscriptions).toBe('---^--!');
    });
  });

  it('unsubscribing while waiting gives up the place in line and takes no slot', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slots = new LoadSlots(1);
      const first = cold('----(a|)');
      const leaves = cold('-(x|)');
      const last = cold('-(z|)');
      expectObservable(slots.run(() => first)).toBe('----(a|)');
      expectObservable(slots.run(() => leaves), '^-!').toBe('');
      expectObservable(slots.run(() => last)).toBe('-----(z|)');
      expectSubscriptions(leaves.subscriptions).toBe([]);
      expectSubscriptions(last.subscriptions).toBe('----^!');
    });
  });

  it('counts slots held and loads waiting, first in first out', () => {
    const slots = new LoadSlots(1);
    const started: string[] = [];
    const work = (name: string, done: Subject<string>) => () => {
      started.push(name);
      return done;
    };
    const [a, b, c] = [new Subject<string>(), new Subject<string>(), new Subject<string>()];
    slots.run(work('a', a)).subscribe();
    slots.run(work('b', b)).subscribe();
    const waitingC = slots.run(work('c', c)).subscribe();
    expect([slots.active, slots.waiting, started]).toEqual([1, 2, ['a']]);

    waitingC.unsubscribe(); // leaves the line: the held slot stays held
    expect([slots.active, slots.waiting]).toEqual([1, 1]);
    a.complete();
    expect([slots.active, slots.waiting, started]).toEqual([1, 0, ['a', 'b']]);
    b.complete();
    expect([slots.active, slots.waiting, started]).toEqual([0, 0, ['a', 'b']]);
  });

  it('releases the slot when the work errors, throws, or is unsubscribed, and stops that work', () => {
    const slots = new LoadSlots(1);
    const errors: unknown[] = [];
    slots.run(() => throwError(() => new Error('load failed'))).subscribe({ error: (e: unknown) => errors.push(e) });
    slots.run(() => {
      throw new Error('bad work');
    }).subscribe({ error: (e: unknown) => errors.push(e) });
    expect(errors.map((e) => (e as Error).message)).toEqual(['load failed', 'bad work']);
    expect(slots.active).toBe(0);

    let stopped = false;
    const holding = slots.run(() => new Observable<never>(() => () => (stopped = true))).subscribe();
    const next = slots.run(() => NEVER).subscribe();
    expect([slots.active, slots.waiting]).toEqual([1, 1]);
    holding.unsubscribe();
    expect(stopped).toBe(true);
    expect([slots.active, slots.waiting]).toEqual([1, 0]); // the slot passed on to `next`
    next.unsubscribe();
    expect([slots.active, slots.waiting]).toEqual([0, 0]);
  });

  it('refuses a cap that is not a positive integer', () => {
    expect(() => new LoadSlots(0)).toThrow(/positive integer/);
    expect(() => new LoadSlots(1.5)).toThrow(/positive integer/);
  });
});
