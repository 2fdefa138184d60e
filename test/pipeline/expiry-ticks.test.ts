import { BehaviorSubject, map, tap } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { nextExpiry } from '../../src/domain/status-at.js';
import { applyClockToStore } from '../../src/pipeline/apply-to-store.js';
import { expiryTicks, MAX_TIMER_MS } from '../../src/pipeline/expiry-ticks.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('expiryTicks', () => {
  it('ticks once exactly at the next expiry, none before, and not again until re-armed', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const arm = hot('a', { a: undefined });
      expectObservable(arm.pipe(expiryTicks(() => 5, scheduler))).toBe('-----t', { t: new Date(5) });
    });
  });

  it('a re-arm replaces the pending tick: the next one comes from the state after it', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      // Armed at 0 for 10; a load at 3 brings an earlier expiry (6); after the tick at 6 the
      // re-arm just after it (7) finds the next one (10); after that none is pending.
      const pending = [10, 6, 10, undefined];
      const arm = hot('a--b---c---d', { a: 0, b: 1, c: 2, d: 3 });
      let i = 0;
      const nextAt = () => pending[i++];
      expectObservable(arm.pipe(expiryTicks(nextAt, scheduler))).toBe('------x---y', { x: new Date(6), y: new Date(10) });
    });
  });

  it('an expiry already past ticks at once, dated now (not in the past)', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const arm = hot('--a', { a: undefined });
      expectObservable(arm.pipe(expiryTicks(() => 0, scheduler))).toBe('--t', { t: new Date(2) });
    });
  });

  it('nothing pending: no tick', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      expectObservable(hot('a-a', { a: undefined }).pipe(expiryTicks(() => undefined, scheduler))).toBe('---');
    });
  });

  it('an expiry past the timer limit wakes at the limit, dated then, so nothing is applied early', () => {
    const scheduler = testScheduler();
    scheduler.run(({ hot, expectObservable }) => {
      const far = MAX_TIMER_MS + 1000;
      expectObservable(hot('a', { a: undefined }).pipe(expiryTicks(() => far, scheduler))).toBe(`${MAX_TIMER_MS}ms t`, { t: new Date(MAX_TIMER_MS) });
    });
  });

  it('armed from the store and re-armed after each tick (as the refresher does): one change per contract, at its expiry, never repeated', () => {
    const scheduler = testScheduler();
    scheduler.run(({ expectObservable }) => {
      const dated = (symbol: string, at: number) => perpetual(symbol, { instrumentKey: `TEST-VENUE:FUTURE:${symbol}`, instrumentType: InstrumentType.INSTRUMENT_TYPE_FUTURE, expiry: new Date(at) });
      const store = new InstrumentStore();
      store.applyExchange('testex', [dated('A', 5), dated('B', 5), dated('C', 9), perpetual('ETH')], new Date(0));
      const arm = new BehaviorSubject<void>(undefined);
      const applied = arm.pipe(
        expiryTicks(() => nextExpiry(store.sourceOf('testex').values()), scheduler),
        applyClockToStore(store, 'testex'),
        tap(() => arm.next()),
        map(({ batch }) => batch?.changes.map((c) => `${c.instrumentKey} ${c.changedFields.join(',')}`)),
      );
      expectObservable(applied, '^ 30ms !').toBe('-----a---b', {
        a: ['TEST-VENUE:FUTURE:A active,status', 'TEST-VENUE:FUTURE:B active,status'],
        b: ['TEST-VENUE:FUTURE:C active,status'],
      });
    });
  });
});
