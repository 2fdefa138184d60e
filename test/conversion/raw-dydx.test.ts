// dYdX v4: every market of the recorded indexer v4/perpetualMarkets response against what
// `instruments sync --once` prints for it. Expected values come from the raw JSON per the dYdX
// indexer documentation; CCXT's mapping (node_modules/ccxt/js/src/dydx.js, parseMarket) is noted
// where the unified field depends on a choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  absent,
  compare,
  decimal,
  derived,
  type ExpectedInstrument,
  instrumentType,
  nonCanonicalDecimals,
  priceMode,
  summary,
  tickSteps,
  unit,
} from './support/expectations.js';
import { canonical, multiply } from '../support/exact-decimal.js';
import { objectAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type SyncRun } from './support/run-sync.js';

const ID = 'dydx';
const MARKETS_URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
/** USDC quantums: 1 quote quantum = 10^-6 USDC. */
const QUOTE_ATOMIC_RESOLUTION = -6;

const NO_STEPS = tickSteps('(dydx has no price-dependent ticks)', []);

function expectedOf(m: RawObject): ExpectedInstrument {
  // tickSize is the price increment (USDC per base unit), stepSize the size increment in base
  // units. The indexer publishes no minimum or maximum order size and no notional bounds here.
  // Sizes are in base units, so one "contract" is 1 base unit (CCXT fixes contractSize at 1).
  const tick = decimal('tickSize', text(m, 'tickSize'));
  return {
    segment: 'derivative',
    rawSymbol: text(m, 'ticker') ?? '',
    fields: {
      instrumentType: instrumentType('PERPETUAL', 'perpetualMarkets'),
      tickSize: tick,
      tickSizeSteps: NO_STEPS,
      pricePrecisionMode: priceMode(tick, NO_STEPS),
      lotSize: decimal('stepSize', text(m, 'stepSize')),
      minSize: absent('indexer publishes no minimum order size'),
      maxSize: absent('indexer publishes no maximum order size'),
      minNotional: absent('indexer publishes no minimum order value'),
      maxNotional: absent('indexer publishes no maximum order value'),
      contractSize: derived('1', 'sizes are in base units'),
      expiry: absent('perpetual'),
      strike: absent('not an option'),
      optionType: absent('not an option'),
      // Order `size` and stepSize count base units (stepBaseQuantums × 10^atomicResolution).
      amountUnit: unit('BASE', 'order size is in base units'),
      contractSizeUnit: unit('BASE', 'one "contract" is 1 base unit'),
    },
  };
}

const pow10 = (exponent: number): string => canonical(`1e${exponent}`);

describe('dydx: conversion equals the raw indexer perpetualMarkets', () => {
  let sync: SyncRun;
  let markets: RawObject[];
  const report: string[] = [];

  beforeAll(async () => {
    markets = Object.values(objectAt(readRecorded(ID, MARKETS_URL), 'markets')) as RawObject[];
    sync = await runSync([ID]);
  });

  afterAll(() => {
    console.log(`raw-dydx (sync ${sync?.ms ?? '?'} ms)\n  ${report.join('\n  ')}`);
  });

  it('has tickSize and stepSize consistent with the on-chain quantum parameters', () => {
    // stepSize = stepBaseQuantums × 10^atomicResolution;
    // tickSize = subticksPerTick × 10^(quantumConversionExponent + QUOTE_ATOMIC_RESOLUTION − atomicResolution).
    const bad: string[] = [];
    for (const m of markets) {
      const ar = Number(text(m, 'atomicResolution'));
      const qce = Number(text(m, 'quantumConversionExponent'));
      const step = multiply(text(m, 'stepBaseQuantums') ?? 'NaN', pow10(ar));
      const tick = multiply(text(m, 'subticksPerTick') ?? 'NaN', pow10(qce + QUOTE_ATOMIC_RESOLUTION - ar));
      if (step !== canonical(text(m, 'stepSize') ?? '')) bad.push(`${text(m, 'ticker')} stepSize ${text(m, 'stepSize')} vs quantums ${step}`);
      if (tick !== canonical(text(m, 'tickSize') ?? '')) bad.push(`${text(m, 'ticker')} tickSize ${text(m, 'tickSize')} vs quantums ${tick}`);
    }
    expect(bad).toEqual([]);
  });

  it('converts every raw market exactly once and nothing else (CCXT drops none)', () => {
    const expected = markets.map(expectedOf);
    const c = compare(ID, expected, linesOf(sync, ID));
    expect({ missing: c.missing, unexpected: c.unexpected, duplicates: c.duplicates }).toEqual({
      missing: [], unexpected: [], duplicates: [],
    });
    expect(linesOf(sync, ID)).toHaveLength(expected.length);
  });

  it('tick, lot, contract size and type equal the raw values; unpublished bounds are absent', () => {
    const c = compare(ID, markets.map(expectedOf), linesOf(sync, ID));
    report.push(`${ID}: ${summary(c)}`);
    expect(c.mismatches).toEqual([]);
  });

  it('prints every decimal as a canonical plain decimal', () => {
    expect(nonCanonicalDecimals(ID, linesOf(sync, ID))).toEqual([]);
  });
});
