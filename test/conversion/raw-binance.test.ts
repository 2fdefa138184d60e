// Binance spot, USD-M and COIN-M: every instrument of the recorded exchangeInfo responses against
// what `instruments sync --once` prints for it. Expected values come from the raw JSON, per the
// Binance API documentation; where CCXT's unified field depends on a choice, the comment names the
// raw field CCXT maps (node_modules/ccxt/js/src/binance.js, parseMarket) and we take that field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  absent,
  compare,
  decimal,
  derived,
  epochMs,
  type ExpectedInstrument,
  instrumentType,
  nonCanonicalDecimals,
  priceMode,
  summary,
  tickSteps,
  unit,
} from './support/expectations.js';
import { listAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type SyncRun } from './support/run-sync.js';

const SPOT_URL = 'https://api.binance.com/api/v3/exchangeInfo';
const USDM_URL = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
const COINM_URL = 'https://dapi.binance.com/dapi/v1/exchangeInfo';

/** Binance's deliveryDate for contracts that never deliver (2100-12-25T08:00Z). */
const PERPETUAL_DELIVERY_DATE = '4133404800000';

type Line = 'spot' | 'usdm' | 'coinm';

function filtersOf(symbol: RawObject): Map<string, RawObject> {
  const byType = new Map<string, RawObject>();
  for (const f of listAt(symbol, 'filters')) {
    const type = text(f, 'filterType');
    if (type !== undefined) byType.set(type, f);
  }
  return byType;
}

function expectedOf(symbol: RawObject, line: Line): ExpectedInstrument {
  const rawSymbol = text(symbol, 'symbol') ?? '';
  const filters = filtersOf(symbol);
  const price = filters.get('PRICE_FILTER');
  const lot = filters.get('LOT_SIZE');
  // Spot carries NOTIONAL {minNotional, maxNotional} (older listings MIN_NOTIONAL {minNotional});
  // USD-M carries MIN_NOTIONAL {notional}; COIN-M has no notional filter. CCXT reads MIN_NOTIONAL
  // first, then NOTIONAL; no recorded symbol has both (asserted below).
  const notionalType = filters.has('MIN_NOTIONAL') ? 'MIN_NOTIONAL' : 'NOTIONAL';
  const notional = filters.get(notionalType);
  const minNotionalField = text(notional, 'minNotional') !== undefined ? 'minNotional' : 'notional';

  // PRICE_FILTER.tickSize is the price increment. LOT_SIZE gives the amount increment and the
  // min/max quantity of an order; MARKET_LOT_SIZE only caps market orders (CCXT files it under
  // limits.market, which has no field in the contract), so LOT_SIZE is the source of truth.
  const tick = decimal('PRICE_FILTER.tickSize', text(price, 'tickSize'));
  const steps = tickSteps('(binance has no price-dependent ticks)', []);
  const fields = {
    tickSize: tick,
    tickSizeSteps: steps,
    pricePrecisionMode: priceMode(tick, steps),
    lotSize: decimal('LOT_SIZE.stepSize', text(lot, 'stepSize')),
    minSize: decimal('LOT_SIZE.minQty', text(lot, 'minQty')),
    maxSize: decimal('LOT_SIZE.maxQty', text(lot, 'maxQty')),
    minNotional: decimal(`${notionalType}.${minNotionalField}`, text(notional, minNotionalField)),
    // NOTIONAL.maxNotional caps every non-market order (and market orders when applyMaxToMarket).
    maxNotional: decimal(`${notionalType}.maxNotional`, text(notional, 'maxNotional')),
    strike: absent('not an option'),
    optionType: absent('not an option'),
  };

  if (line === 'spot') {
    return {
      segment: 'spot',
      rawSymbol,
      fields: {
        ...fields,
        instrumentType: instrumentType('SPOT', 'api/v3 exchangeInfo'),
        contractSize: absent('spot has no contract size'),
        expiry: absent('spot has no expiry'),
        amountUnit: unit('BASE', 'api/v3 order quantity is in baseAsset'),
        contractSizeUnit: absent('spot has no contract size'),
      },
    };
  }

  // contractType PERPETUAL / "PERPETUAL DELIVERING" / TRADIFI_PERPETUAL never deliver; the rest
  // (CURRENT_QUARTER, NEXT_QUARTER, ...) deliver at deliveryDate. A perpetual's deliveryDate is the
  // sentinel 4133404800000, or the delisting time when it is SETTLING: not an expiry.
  const contractType = text(symbol, 'contractType') ?? '';
  const deliveryDate = text(symbol, 'deliveryDate');
  const perpetual = contractType.includes('PERPETUAL') || deliveryDate === PERPETUAL_DELIVERY_DATE;
  const typeNote = `contractType=${JSON.stringify(contractType)} deliveryDate=${deliveryDate ?? '-'}`;
  return {
    segment: 'derivative',
    rawSymbol,
    fields: {
      ...fields,
      instrumentType: instrumentType(perpetual ? 'PERPETUAL' : 'FUTURE', typeNote),
      // USD-M quantities are in base asset units (no contractSize field): one contract = 1 base.
      // COIN-M publishes contractSize, the USD value of one contract.
      contractSize: line === 'usdm'
        ? derived('1', 'USD-M quantity is in base asset (no contractSize field)')
        : decimal('contractSize', text(symbol, 'contractSize')),
      expiry: perpetual ? absent(`perpetual (${typeNote})`) : epochMs('deliveryDate', deliveryDate),
      // fapi (USD-M) order quantity is in baseAsset; dapi (COIN-M) quantity is in contracts, each
      // contractSize units of quoteAsset (BTCUSD_PERP: 100 USD).
      amountUnit: line === 'usdm'
        ? unit('BASE', 'fapi order quantity is in baseAsset')
        : unit('CONTRACTS', `dapi order quantity is in contracts of contractSize=${text(symbol, 'contractSize') ?? '-'} ${text(symbol, 'quoteAsset') ?? ''}`),
      contractSizeUnit: line === 'usdm'
        ? unit('BASE', 'USD-M: one contract is 1 baseAsset')
        : unit('QUOTE', `contractSize is in quoteAsset=${text(symbol, 'quoteAsset') ?? '-'}`),
    },
  };
}

function expectedFor(id: string, url: string, line: Line): ExpectedInstrument[] {
  return listAt(readRecorded(id, url), 'symbols').map((s) => expectedOf(s, line));
}

/** What each ccxt id fetches with its default options (binance: spot, linear and inverse). */
const SOURCES: Record<string, Array<[string, Line]>> = {
  binance: [[SPOT_URL, 'spot'], [USDM_URL, 'usdm'], [COINM_URL, 'coinm']],
  binanceusdm: [[USDM_URL, 'usdm']],
  binancecoinm: [[COINM_URL, 'coinm']],
};

describe('binance, binanceusdm, binancecoinm: conversion equals the raw exchangeInfo', () => {
  let sync: SyncRun;
  const report: string[] = [];

  beforeAll(async () => {
    sync = await runSync(Object.keys(SOURCES));
  });

  afterAll(() => {
    console.log(`raw-binance (sync ${sync?.ms ?? '?'} ms)\n  ${report.join('\n  ')}`);
  });

  it('no raw symbol has both MIN_NOTIONAL and NOTIONAL (so CCXT\'s filter preference cannot matter)', () => {
    const both: string[] = [];
    for (const [id, sources] of Object.entries(SOURCES)) {
      for (const [url] of sources) {
        for (const s of listAt(readRecorded(id, url), 'symbols')) {
          const f = filtersOf(s);
          if (f.has('MIN_NOTIONAL') && f.has('NOTIONAL')) both.push(`${id} ${text(s, 'symbol')}`);
        }
      }
    }
    expect(both).toEqual([]);
  });

  for (const [id, sources] of Object.entries(SOURCES)) {
    describe(id, () => {
      const expected = (): ExpectedInstrument[] => sources.flatMap(([url, line]) => expectedFor(id, url, line));

      it('converts every raw symbol exactly once and nothing else (CCXT drops none)', () => {
        const want = expected();
        const c = compare(id, want, linesOf(sync, id));
        expect({ missing: c.missing, unexpected: c.unexpected, duplicates: c.duplicates }).toEqual({
          missing: [], unexpected: [], duplicates: [],
        });
        expect(linesOf(sync, id)).toHaveLength(want.length);
      });

      it('tick, lot, min/max size, min/max notional, contract size, type and expiry equal the raw values', () => {
        const c = compare(id, expected(), linesOf(sync, id));
        report.push(`${id}: ${summary(c)}`);
        expect(c.mismatches).toEqual([]);
      });

      it('prints every decimal as a canonical plain decimal', () => {
        expect(nonCanonicalDecimals(id, linesOf(sync, id))).toEqual([]);
      });
    });
  }
});
