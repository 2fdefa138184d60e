// Sanity of the expected-change computation (test/e2e/support/expected-changes.ts) on the raw
// recordings alone: what the end-to-end refresh test will demand from WatchChanges. No service code
// runs here; every pinned number and example below was checked by hand against the raw JSON.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { canonical } from '../support/exact-decimal.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { listAt, type RawObject, text } from '../conversion/support/raw-fixture.js';
import {
  type ChangePair,
  type ExpectedChanges,
  expectedChanges,
  fieldCounts,
  PAIRS,
  projections,
  rawInstruments,
  rawSymbolOf,
} from './support/expected-changes.js';

const ALL_PAIRS = Object.keys(PAIRS) as ChangePair[];
const report: string[] = [];

const cache = new Map<ChangePair, ExpectedChanges>();
function changes(pair: ChangePair): ExpectedChanges {
  let c = cache.get(pair);
  if (c === undefined) {
    const started = performance.now();
    c = expectedChanges(pair, PAIRS[pair].newerRecordedAt);
    report.push(`${pair}: computed in ${Math.round(performance.now() - started)} ms`);
    cache.set(pair, c);
  }
  return c;
}

const updatedOf = (pair: ChangePair, rawSymbol: string): string[] | undefined =>
  changes(pair).updated.find((u) => u.rawSymbol === rawSymbol)?.fields;
const removedOf = (pair: ChangePair, rawSymbol: string): string | undefined =>
  changes(pair).removed.find((r) => r.rawSymbol === rawSymbol)?.reason;

/** Field names of InstrumentDefinition, read from the proto (the contract), not from generated code. */
function protoFieldNames(): Set<string> {
  const proto = readFileSync(path.resolve(FIXTURES_DIR, '../../proto/instruments/v1/instrument.proto'), 'utf8');
  const body = /message InstrumentDefinition \{([\s\S]*?)\n\}/.exec(proto)?.[1] ?? '';
  return new Set([...body.matchAll(/^\s*(?:optional |repeated )?[\w.]+ (\w+) = \d+;/gm)].map((m) => m[1] ?? ''));
}

/** Raw instruments by raw symbol. */
function rawBySymbol(pair: ChangePair, which: 'older' | 'newer'): Map<string, RawObject> {
  return new Map(rawInstruments(pair, which).map((r) => [rawSymbolOf(pair, r) ?? '', r]));
}

function filter(symbol: RawObject | undefined, type: string): RawObject | undefined {
  return symbol === undefined ? undefined : listAt(symbol, 'filters').find((f) => text(f, 'filterType') === type);
}

afterAll(() => {
  for (const pair of ALL_PAIRS) {
    const c = changes(pair);
    const expired = c.removed.filter((r) => r.reason === 'EXPIRED').length;
    report.push(`${pair}: +${c.added.length} / -${c.removed.length} (expired ${expired}, delisted ${c.removed.length - expired}) / ~${c.updated.length} ${JSON.stringify(fieldCounts(c))}`);
  }
  console.log(`expected-changes\n  ${report.join('\n  ')}`);
});

describe('expected changes: counts per pair (refreshTime = the newer recording time)', () => {
  it('binanceusdm 2024-12-13 → 2025-08-22: +176 / −5 (4 quarterlies expired, EOSUSDT delisted) / 95 updated', () => {
    const c = changes('binanceusdm');
    expect(c.added).toHaveLength(176);
    expect(c.removed).toEqual([
      { rawSymbol: 'BTCUSDT_241227', reason: 'EXPIRED' },
      { rawSymbol: 'BTCUSDT_250328', reason: 'EXPIRED' },
      { rawSymbol: 'EOSUSDT', reason: 'DELISTED' },
      { rawSymbol: 'ETHUSDT_241227', reason: 'EXPIRED' },
      { rawSymbol: 'ETHUSDT_250328', reason: 'EXPIRED' },
    ]);
    expect(c.updated).toHaveLength(95);
    expect(fieldCounts(c)).toEqual({
      active: 24, available_from_datetime: 6, exchange_status: 24, listing_time: 6, lot_size: 5, max_price: 5,
      max_size: 59, min_price: 7, min_size: 5, status: 24, tick_size: 20,
    });
  });

  it('binance spot 2022-12-17 → 2023-09-08: +158 / −3 (delisted) / 2134 updated (every common symbol: NOTIONAL.maxNotional appears)', () => {
    const c = changes('binance-spot');
    expect(c.added).toHaveLength(158);
    expect(c.removed).toEqual([
      { rawSymbol: 'AXSBIDR', reason: 'DELISTED' },
      { rawSymbol: 'NBTBIDR', reason: 'DELISTED' },
      { rawSymbol: 'NBTUSDT', reason: 'DELISTED' },
    ]);
    expect(c.updated).toHaveLength(2134);
    expect(fieldCounts(c)).toEqual({
      active: 279, exchange_status: 279, lot_size: 10, max_notional: 2134, max_price: 27, max_size: 16,
      min_notional: 604, min_price: 181, min_size: 10, status: 279, tick_size: 166,
    });
  });

  it('okx SWAP 2022-07-23 → ~2025-10-02: +164 / −78 (all delisted: swaps never expire) / 91 updated', () => {
    const c = changes('okx-swap');
    expect(c.added).toHaveLength(164);
    expect(c.removed).toHaveLength(78);
    expect(c.removed.every((r) => r.reason === 'DELISTED')).toBe(true);
    expect(c.updated).toHaveLength(91);
    expect(fieldCounts(c)).toEqual({
      available_from_datetime: 91, contract_size: 1, listing_time: 91, lot_size: 17, min_size: 17, tick_size: 29,
    });
  });
});

describe('expected changes: agree with the raw-count statements of exchanges-dated/PROVENANCE.md', () => {
  /** Raw symbols whose raw value (as text, no decimal normalisation) differs, for a getter. */
  function rawTextChanges(pair: ChangePair, get: (r: RawObject) => string | undefined): string[] {
    const older = rawBySymbol(pair, 'older');
    const newer = rawBySymbol(pair, 'newer');
    return [...older].filter(([s, r]) => newer.has(s) && get(r) !== get(newer.get(s) as RawObject)).map(([s]) => s).sort();
  }
  const setCounts = (pair: ChangePair): { added: number; removed: number } => {
    const older = rawBySymbol(pair, 'older');
    const newer = rawBySymbol(pair, 'newer');
    return { added: [...newer.keys()].filter((s) => !older.has(s)).length, removed: [...older.keys()].filter((s) => !newer.has(s)).length };
  };

  it('USD-M: +176 / −5, 24 status changes, 22 raw tickSize changes of which 2 (CTKUSDT, CVCUSDT) are formatting only → 20 tick_size updates', () => {
    expect(setCounts('binanceusdm')).toEqual({ added: 176, removed: 5 });
    expect(rawTextChanges('binanceusdm', (r) => text(r, 'status'))).toHaveLength(24);
    const tick = (r: RawObject): string | undefined => text(filter(r, 'PRICE_FILTER'), 'tickSize');
    const rawTick = rawTextChanges('binanceusdm', tick);
    expect(rawTick).toHaveLength(22);
    const older = rawBySymbol('binanceusdm', 'older');
    const newer = rawBySymbol('binanceusdm', 'newer');
    const formattingOnly = rawTick.filter((s) => canonical(tick(older.get(s) as RawObject) ?? '') === canonical(tick(newer.get(s) as RawObject) ?? ''));
    // CTKUSDT "0.00010" → "0.0001000", CVCUSDT "0.00001" → "0.0000100" (both relisted with pricePrecision 5 → 7).
    expect(formattingOnly).toEqual(['CTKUSDT', 'CVCUSDT']);
    const withTick = changes('binanceusdm').updated.filter((u) => u.fields.includes('tick_size')).map((u) => u.rawSymbol);
    expect(withTick).toEqual(rawTick.filter((s) => !formattingOnly.includes(s)));
  });

  it('spot: +158 / −3 and 279 status changes, which are exactly the exchange_status updates', () => {
    expect(setCounts('binance-spot')).toEqual({ added: 158, removed: 3 });
    const statusChanged = rawTextChanges('binance-spot', (r) => text(r, 'status'));
    expect(statusChanged).toHaveLength(279);
    expect(changes('binance-spot').updated.filter((u) => u.fields.includes('exchange_status')).map((u) => u.rawSymbol)).toEqual(statusChanged);
  });

  it('okx SWAP: +164 / −78 and 29 tickSz changes (none formatting only)', () => {
    expect(setCounts('okx-swap')).toEqual({ added: 164, removed: 78 });
    const rawTick = rawTextChanges('okx-swap', (r) => text(r, 'tickSz'));
    expect(rawTick).toHaveLength(29);
    expect(changes('okx-swap').updated.filter((u) => u.fields.includes('tick_size')).map((u) => u.rawSymbol)).toEqual(rawTick);
  });
});

describe.each(ALL_PAIRS)('expected changes %s: invariants', (pair) => {
  it('no raw symbol is both added and removed (no instrument_key changed for a kept raw symbol)', () => {
    const c = changes(pair);
    const removed = new Set(c.removed.map((r) => r.rawSymbol));
    expect(c.added.filter((s) => removed.has(s))).toEqual([]);
    const older = projections(pair, 'older');
    const newer = projections(pair, 'newer');
    const keyChanged = [...older].filter(([s, p]) => newer.has(s) && newer.get(s)?.key !== p.key).map(([s]) => s);
    expect(keyChanged).toEqual([]);
  });

  it('added, removed and updated are disjoint, sorted, and cover every raw symbol that differs', () => {
    const c = changes(pair);
    const sorted = (xs: string[]): string[] => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const removed = c.removed.map((r) => r.rawSymbol);
    const updated = c.updated.map((u) => u.rawSymbol);
    expect(c.added).toEqual(sorted(c.added));
    expect(removed).toEqual(sorted(removed));
    expect(updated).toEqual(sorted(updated));
    const all = [...c.added, ...removed, ...updated];
    expect(new Set(all).size).toBe(all.length);
    // A raw symbol in both recordings and not updated has an identical projection.
    const older = projections(pair, 'older');
    const newer = projections(pair, 'newer');
    const untouched = [...older.keys()].filter((s) => newer.has(s) && !updated.includes(s));
    expect(untouched.length + updated.length).toBe([...older.keys()].filter((s) => newer.has(s)).length);
    for (const s of untouched) expect(newer.get(s)?.fields).toEqual(older.get(s)?.fields);
  });

  it('every updated symbol names ≥ 1 field, sorted, unique, each a field of InstrumentDefinition that a refresh can change', () => {
    const names = protoFieldNames();
    expect(names.has('tick_size') && names.has('exchange_status')).toBe(true); // the proto was read
    const never = ['instrument_key', 'venue', 'instrument_type', 'exchange_raw_symbol', 'tardis_symbol', 'tardis_exchange',
      'ccxt_exchange', 'ccxt_symbol', 'trading_fees_maker', 'trading_fees_taker', 'last_updated', 'is_live', 'available_to_datetime'];
    const bad: string[] = [];
    for (const u of changes(pair).updated) {
      if (u.fields.length === 0) bad.push(`${u.rawSymbol}: no field`);
      if (JSON.stringify(u.fields) !== JSON.stringify([...new Set(u.fields)].sort())) bad.push(`${u.rawSymbol}: not sorted/unique`);
      for (const f of u.fields) {
        if (!names.has(f)) bad.push(`${u.rawSymbol}: ${f} is not a proto field`);
        if (never.includes(f)) bad.push(`${u.rawSymbol}: ${f} cannot change under one key`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the removal split does not depend on the refresh time once every removed future has expired (any time after 2025-03-28)', () => {
    expect(expectedChanges(pair, new Date())).toEqual(changes(pair));
    expect(expectedChanges(pair, new Date('2025-03-28T08:00:00Z'))).toEqual(changes(pair));
  });
});

describe('expected changes: examples checked by hand against the raw JSON', () => {
  it('USD-M quarterlies: expired exactly when deliveryDate <= refreshTime', () => {
    // BTCUSDT_241227 deliveryDate 1735286400000 (2024-12-27T08:00Z), BTCUSDT_250328 1743148800000 (2025-03-28T08:00Z).
    const between = expectedChanges('binanceusdm', new Date('2025-01-01T00:00:00Z'));
    expect(between.removed.filter((r) => r.rawSymbol.startsWith('BTCUSDT_'))).toEqual([
      { rawSymbol: 'BTCUSDT_241227', reason: 'EXPIRED' },
      { rawSymbol: 'BTCUSDT_250328', reason: 'DELISTED' },
    ]);
    const atExpiry = expectedChanges('binanceusdm', new Date(1735286400000));
    expect(atExpiry.removed.find((r) => r.rawSymbol === 'BTCUSDT_241227')?.reason).toBe('EXPIRED');
    const before = expectedChanges('binanceusdm', new Date(1735286400000 - 1));
    expect(before.removed.every((r) => r.reason === 'DELISTED')).toBe(true);
    // EOSUSDT: contractType "PERPETUAL", deliveryDate 4133404800000, status "TRADING" in 2024-12, gone in 2025-08.
    expect(removedOf('binanceusdm', 'EOSUSDT')).toBe('DELISTED');
  });

  it('USD-M ALPACAUSDT: status "TRADING" → "SETTLING", deliveryDate 4133404800000 → 1746003600000 (a perpetual: no expiry)', () => {
    expect(updatedOf('binanceusdm', 'ALPACAUSDT')).toEqual(['active', 'exchange_status', 'status']);
  });

  it('USD-M CVXUSDT relisted: "SETTLING" → "TRADING", onboardDate 1663743600000 → 1753270200000, LOT_SIZE stepSize/minQty "1" → "0.1", maxQty "100000" → "200000"; tickSize "0.001000" both', () => {
    expect(updatedOf('binanceusdm', 'CVXUSDT')).toEqual([
      'active', 'available_from_datetime', 'exchange_status', 'listing_time', 'lot_size', 'max_size', 'min_size', 'status',
    ]);
  });

  it('USD-M CTKUSDT: tickSize "0.00010" → "0.0001000" is no tick_size change; minPrice "0.02600" → "0.0001000" and maxPrice "180" → "200" are', () => {
    const fields = updatedOf('binanceusdm', 'CTKUSDT') ?? [];
    expect(fields).not.toContain('tick_size');
    expect(fields).toEqual(expect.arrayContaining(['min_price', 'max_price']));
  });

  it('USD-M BTCSTUSDT: contractType "" → "PERPETUAL" (deliveryDate 4133404800000 both, status "PENDING_TRADING" both) changes nothing', () => {
    expect(updatedOf('binanceusdm', 'BTCSTUSDT')).toBeUndefined();
    expect(changes('binanceusdm').added).not.toContain('BTCSTUSDT');
  });

  it('spot AAVEBNB: MIN_NOTIONAL.minNotional "0.05000000" → NOTIONAL.minNotional "0.01000000", NOTIONAL.maxNotional "9000000.00000000" new', () => {
    expect(updatedOf('binance-spot', 'AAVEBNB')).toEqual(['max_notional', 'min_notional']);
  });

  it('spot 1INCHBUSD: tickSize and minPrice "0.00100000" → "0.00010000"; minNotional "10.00000000" both', () => {
    expect(updatedOf('binance-spot', '1INCHBUSD')).toEqual(['max_notional', 'min_price', 'tick_size']);
  });

  it('spot ETHUSDC: "BREAK" → "TRADING", maxPrice "100000.00000000" → "1000000.00000000", maxQty "90000.00000000" → "9000.00000000", minNotional "10.00000000" → "5.00000000"', () => {
    expect(updatedOf('binance-spot', 'ETHUSDC')).toEqual([
      'active', 'exchange_status', 'max_notional', 'max_price', 'max_size', 'min_notional', 'status',
    ]);
  });

  it('spot AXSBIDR: status "TRADING" with permissions ["TRD_GRP_003"] (CCXT: inactive) in 2022-12, gone in 2023-09 → delisted', () => {
    expect(removedOf('binance-spot', 'AXSBIDR')).toBe('DELISTED');
    expect(projections('binance-spot', 'older').get('AXSBIDR')?.fields).toMatchObject({ active: 'false', status: 'HALTED', exchange_status: 'TRADING' });
  });

  it('okx ENJ-USDT-SWAP relisted: ctVal "1" → "10" (ctMult "1"), tickSz "0.0001" → "0.00001", listTime "1617269910000" → "1709288701407"', () => {
    expect(updatedOf('okx-swap', 'ENJ-USDT-SWAP')).toEqual(['available_from_datetime', 'contract_size', 'listing_time', 'tick_size']);
  });

  it('okx BTC-USDT-SWAP: lotSz/minSz "1" → "0.01", listTime "1611916828000" (shared by 98 of 169 swaps in 2022) → "1573557408000"; contTdSwTime "" so listTime counts', () => {
    expect(updatedOf('okx-swap', 'BTC-USDT-SWAP')).toEqual(['available_from_datetime', 'listing_time', 'lot_size', 'min_size']);
  });

  it('okx 2Z-USDT-SWAP (state "preopen", tickSz/lotSz/uly/settleCcy/ctVal "") is added, INCOMPLETE, keyed by its instId', () => {
    expect(changes('okx-swap').added).toContain('2Z-USDT-SWAP');
    const p = projections('okx-swap', 'newer').get('2Z-USDT-SWAP');
    expect(p?.key).toBe('OKX:PERPETUAL:2Z-USDT-SWAP');
    expect(p?.fields).toMatchObject({
      status: 'INCOMPLETE', active: 'false', exchange_status: 'preopen',
      incomplete_fields: 'tick_size,lot_size,base_asset,quote_asset,settle_asset,contract_size',
    });
  });

  it('okx: CCXT\'s linear rule (quote of uly === settleCcy) agrees with ctType on every non-preopen swap of both recordings', () => {
    const disagree: string[] = [];
    for (const which of ['older', 'newer'] as const) {
      const raws = rawBySymbol('okx-swap', which);
      for (const [s, p] of projections('okx-swap', which)) {
        const ctType = text(raws.get(s), 'ctType');
        if (ctType === undefined) continue;
        if (p.fields['linear'] !== String(ctType === 'linear')) disagree.push(`${which} ${s}`);
      }
    }
    expect(disagree).toEqual([]);
  });
});
