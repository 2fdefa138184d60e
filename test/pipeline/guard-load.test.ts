import { tap, type Observable } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { PrecisionMode, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { LoadedDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import { DEFAULT_GUARD_POLICY, type ApplyVerdict, type HeldRefresh } from '../../src/domain/refresh-guard.js';
import { guardLoad } from '../../src/pipeline/guard-load.js';
import { perpetual } from '../support/definitions.js';

const testScheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
const at = new Date('2026-01-01T00:00:00Z');
const coins = Array.from({ length: 10 }, (_, i) => perpetual(`C${i}`, { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE }));
const load = (definitions: InstrumentDefinition[]): LoadedDefinitions => ({ definitions, rejected: [], receivedAt: at });

const full = load(coins);
const empty = load([]);
const half = load(coins.slice(0, 5)); // 50% truncated
const other = load(coins.slice(5)); // truncated differently

/** guardLoad over `loads`, with a stand-in store: what passes is what the exchange provides next. */
function guarded(loads: Observable<LoadedDefinitions>) {
  let provided = new Map<string, InstrumentDefinition>();
  const holds: HeldRefresh[] = [];
  const applies: ApplyVerdict[] = [];
  const out = loads.pipe(
    guardLoad({
      policy: DEFAULT_GUARD_POLICY,
      previous: () => provided,
      onHold: (held) => holds.push(held),
      onApply: (verdict) => applies.push(verdict),
    }),
    tap((loaded: LoadedDefinitions) => {
      provided = new Map(loaded.definitions.map((d) => [d.instrumentKey, d]));
    }),
  );
  return { out, holds, applies };
}

describe('guardLoad', () => {
  it('passes a good load, swallows an empty one after it, and passes the next good one', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { out, holds } = guarded(cold<LoadedDefinitions>('a-e-a|', { a: full, e: empty }));
      expectObservable(out).toBe('a---a|', { a: full });
      flush();
      expect(holds.map((h) => h.reason)).toEqual(['empty market list']);
    });
  });

  it('holds a 50%-truncated load and applies the same one when it comes again', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { out, holds, applies } = guarded(cold<LoadedDefinitions>('a-h-h|', { a: full, h: half }));
      expectObservable(out).toBe('a---h|', { a: full, h: half });
      flush();
      const reason = 'would remove 5 of 10 instruments (50%), more than 20% at once';
      expect(holds.map((h) => h.reason)).toEqual([reason]);
      expect(applies.map((v) => v.confirmedHold)).toEqual([undefined, reason]);
    });
  });

  it('replaces the hold with a different suspect load: only a repeat of the latest one confirms', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      // h is held, o replaces it, so the second h is held anew; the third h confirms it.
      const { out, holds } = guarded(cold<LoadedDefinitions>('a-h-o-h-h|', { a: full, h: half, o: other }));
      expectObservable(out).toBe('a-------h|', { a: full, h: half });
      flush();
      const keysOf = (l: LoadedDefinitions) => new Set(l.definitions.map((d) => d.instrumentKey));
      expect(holds.map((h) => h.keys)).toEqual([keysOf(half), keysOf(other), keysOf(half)]);
    });
  });

  it('keeps the previous definition of a market with bad data and adds the reject to `rejected`', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const [first, ...rest] = coins as [InstrumentDefinition, ...InstrumentDefinition[]];
      const broken = load([{ ...first, tickSize: '0' }, ...rest]);
      const { out } = guarded(cold<LoadedDefinitions>('a-b|', { a: full, b: broken }));
      expectObservable(out).toBe('a-b|', {
        a: full,
        b: { ...broken, definitions: coins, rejected: [{ symbol: first.instrumentKey, reason: 'non-positive tick_size "0"' }] },
      });
    });
  });
  it('keeps the previous definition of a known market this load could not convert, and reports it', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const bad = coins[3] as InstrumentDefinition;
      // C3 came back malformed: conversion failed, so it is missing from the definitions.
      const malformed: LoadedDefinitions = {
        definitions: coins.filter((d) => d !== bad),
        rejected: [{ symbol: bad.ccxtSymbol, reason: 'conversion failed: bad filters', failed: true }],
        receivedAt: at,
      };
      const { out } = guarded(cold<LoadedDefinitions>('a-m|', { a: full, m: malformed }));
      expectObservable(out).toBe('a-m|', { a: full, m: { ...malformed, definitions: [...malformed.definitions, bad] } });
      flush();
    });
  });

  it('drops a market of a kind the contract has no type for, which is no malformed one', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const gone = coins[3] as InstrumentDefinition;
      const refused: LoadedDefinitions = {
        definitions: coins.filter((d) => d !== gone),
        rejected: [{ symbol: gone.ccxtSymbol, reason: 'no instrument type for this market' }],
        receivedAt: at,
      };
      const { out } = guarded(cold<LoadedDefinitions>('a-r|', { a: full, r: refused }));
      expectObservable(out).toBe('a-r|', { a: full, r: refused });
    });
  });
});
