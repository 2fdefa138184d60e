// MEXC spot (api/v3/exchangeInfo) and perpetual contracts (api/v1/contract/detail): every
// instrument of the recorded responses against what `instruments sync --once` prints for it.
// Expected values come from the raw JSON per the MEXC API documentation; CCXT's mapping
// (node_modules/ccxt/js/src/mexc.js, fetchSpotMarkets / fetchSwapMarkets) is noted where the
// unified field depends on a choice.
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
  type Want,
  unit,
} from './support/expectations.js';
import { incrementOfDecimals } from '../support/exact-decimal.js';
import { listAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type SyncRun } from './support/run-sync.js';

const ID = 'mexc';
const SPOT_URL = 'https://api.mexc.com/api/v3/exchangeInfo';
const CONTRACT_URL = 'https://api.mexc.com/api/v1/contract/detail';

const NO_STEPS = tickSteps('(mexc has no price-dependent ticks)', []);

/** A "number of decimals" field as its increment (quoteAssetPrecision 5 → 0.00001). */
function decimalsField(o: RawObject, field: string): Want {
  const places = text(o, field);
  return places === undefined ? absent(`${field} absent`) : derived(incrementOfDecimals(places), `${field}=${places} decimals`);
}

function spotExpected(s: RawObject): ExpectedInstrument {
  // Spot publishes decimals, not increments: quoteAssetPrecision for prices (quotePrecision is a
  // deprecated duplicate; equal in every recorded symbol) and baseAssetPrecision for quantities.
  // baseSizePrecision is the minimum order quantity ("0": none), quoteAmountPrecision the minimum
  // and maxQuoteAmount the maximum order value in quote asset (the *Market variants apply to market
  // orders only); CCXT maps exactly these.
  const tick = decimalsField(s, 'quoteAssetPrecision');
  return {
    segment: 'spot',
    rawSymbol: text(s, 'symbol') ?? '',
    fields: {
      instrumentType: instrumentType('SPOT', 'api/v3 exchangeInfo'),
      tickSize: tick,
      tickSizeSteps: NO_STEPS,
      pricePrecisionMode: priceMode(tick, NO_STEPS),
      lotSize: decimalsField(s, 'baseAssetPrecision'),
      minSize: decimal('baseSizePrecision', text(s, 'baseSizePrecision')),
      maxSize: absent('MEXC spot publishes no maximum quantity'),
      minNotional: decimal('quoteAmountPrecision', text(s, 'quoteAmountPrecision')),
      maxNotional: decimal('maxQuoteAmount', text(s, 'maxQuoteAmount')),
      contractSize: absent('spot has no contract size'),
      expiry: absent('spot has no expiry'),
      strike: absent('not an option'),
      optionType: absent('not an option'),
      amountUnit: unit('BASE', 'spot order quantity is in baseAsset'),
      contractSizeUnit: absent('spot has no contract size'),
    },
  };
}

function contractExpected(c: RawObject): ExpectedInstrument {
  // contract/detail: priceUnit = price increment, volUnit = quantity increment (contracts),
  // minVol/maxVol = order quantity bounds (contracts), contractSize = base asset per contract.
  // Every recorded contract is perpetual (futureType 1).
  const tick = decimal('priceUnit', text(c, 'priceUnit'));
  return {
    segment: 'derivative',
    rawSymbol: text(c, 'symbol') ?? '',
    fields: {
      instrumentType: instrumentType(text(c, 'futureType') === '1' ? 'PERPETUAL' : 'FUTURE', `futureType=${text(c, 'futureType') ?? '-'}`),
      tickSize: tick,
      tickSizeSteps: NO_STEPS,
      pricePrecisionMode: priceMode(tick, NO_STEPS),
      lotSize: decimal('volUnit', text(c, 'volUnit')),
      minSize: decimal('minVol', text(c, 'minVol')),
      maxSize: decimal('maxVol', text(c, 'maxVol')),
      minNotional: absent('contract/detail publishes no minimum order value'),
      maxNotional: absent('contract/detail publishes no maximum order value'),
      contractSize: decimal('contractSize', text(c, 'contractSize')),
      expiry: absent('perpetual'),
      strike: absent('not an option'),
      optionType: absent('not an option'),
      // Order `vol` is in contracts. contractSize is in baseCoin for USDT-settled contracts and in
      // quoteCoin (USD) for coin-settled ones (settleCoin = baseCoin, e.g. BTC_USD: 100 USD).
      amountUnit: unit('CONTRACTS', 'order vol is in contracts (minVol/maxVol/volUnit)'),
      contractSizeUnit: text(c, 'settleCoin') === text(c, 'baseCoin')
        ? unit('QUOTE', `settleCoin=baseCoin=${text(c, 'baseCoin') ?? '-'}: contractSize in quoteCoin=${text(c, 'quoteCoin') ?? '-'}`)
        : unit('BASE', `settleCoin=${text(c, 'settleCoin') ?? '-'}: contractSize in baseCoin=${text(c, 'baseCoin') ?? '-'}`),
    },
  };
}

describe('mexc: conversion equals the raw spot exchangeInfo and contract/detail', () => {
  let sync: SyncRun;
  let spot: RawObject[];
  let contracts: RawObject[];
  const report: string[] = [];

  beforeAll(async () => {
    spot = listAt(readRecorded(ID, SPOT_URL), 'symbols');
    contracts = listAt(readRecorded(ID, CONTRACT_URL), 'data');
    sync = await runSync([ID]);
  });

  afterAll(() => {
    console.log(`raw-mexc (sync ${sync?.ms ?? '?'} ms)\n  ${report.join('\n  ')}`);
  });

  it('reads quotePrecision and quoteAssetPrecision as one value, and every contract as perpetual', () => {
    expect(spot.filter((s) => text(s, 'quotePrecision') !== text(s, 'quoteAssetPrecision')).map((s) => text(s, 'symbol'))).toEqual([]);
    expect(contracts.filter((c) => text(c, 'futureType') !== '1').map((c) => text(c, 'symbol'))).toEqual([]);
  });

  it('converts every raw symbol and contract exactly once and nothing else (CCXT drops none)', () => {
    const expected = [...spot.map(spotExpected), ...contracts.map(contractExpected)];
    const c = compare(ID, expected, linesOf(sync, ID));
    expect({ missing: c.missing, unexpected: c.unexpected, duplicates: c.duplicates }).toEqual({
      missing: [], unexpected: [], duplicates: [],
    });
    expect(linesOf(sync, ID)).toHaveLength(expected.length);
  });

  it('tick, lot, min/max size, min/max notional, contract size and type equal the raw values', () => {
    const c = compare(ID, [...spot.map(spotExpected), ...contracts.map(contractExpected)], linesOf(sync, ID));
    report.push(`${ID}: ${summary(c)}`);
    expect(c.mismatches).toEqual([]);
  });

  it('prints every decimal as a canonical plain decimal', () => {
    expect(nonCanonicalDecimals(ID, linesOf(sync, ID))).toEqual([]);
  });
});
