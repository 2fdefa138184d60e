// amount_unit, contract_size_unit and data_types of every recorded exchange, and the instruments
// the README's unit table names, checked by name against the raw response (expected values are
// read from the recorded JSON with the exchange's own field names, never from CCXT's parse).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ccxt from 'ccxt';
import { beforeAll, describe, expect, it } from 'vitest';

import { REPO_ROOT } from '../support/demo-process.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { canonical, multiply } from '../support/exact-decimal.js';
import { PATIENCE_MS } from '../support/wait-for.js';
import { listAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type OutputLine, type SyncRun } from './support/run-sync.js';

// Every recorded exchange: one folder per ccxt id.
const IDS = readdirSync(EXCHANGES_DIR).filter((f) => statSync(path.join(EXCHANGES_DIR, f)).isDirectory()).sort();

let sync: SyncRun;
beforeAll(async () => {
  sync = await runSync(IDS);
}, PATIENCE_MS); // one first load of every recorded exchange

function rawEntry(id: string, url: string, list: string, field: string, name: string): RawObject {
  const found = listAt(readRecorded(id, url), list).find((o) => text(o, field) === name);
  if (found === undefined) throw new Error(`${id}: no raw ${field}=${name} in ${url}`);
  return found;
}

function lineOf(id: string, rawSymbol: string, type?: string): OutputLine {
  const line = linesOf(sync, id).find((l) => l['exchangeRawSymbol'] === rawSymbol && (type === undefined || l['instrumentType'] === type));
  if (line === undefined) throw new Error(`${id}: no output for ${rawSymbol}`);
  return line;
}

const unitsOf = (l: OutputLine): Record<string, unknown> => ({
  minSize: l['minSize'], lotSize: l['lotSize'], contractSize: l['contractSize'], amountUnit: l['amountUnit'], contractSizeUnit: l['contractSizeUnit'],
});

describe('units by name, from the raw responses', () => {
  it('Deribit BTC-PERPETUAL: amount in USD (instrument_type "reversed"), min 10 USD = 1 contract of 10 USD', () => {
    const raw = rawEntry('deribit', 'https://www.deribit.com/api/v2/public/get_instruments', 'result', 'instrument_name', 'BTC-PERPETUAL');
    expect([text(raw, 'instrument_type'), text(raw, 'counter_currency')]).toEqual(['reversed', 'USD']);
    const minTrade = canonical(text(raw, 'min_trade_amount') ?? '');
    const size = canonical(text(raw, 'contract_size') ?? '');
    expect(minTrade).toBe(size); // the smallest order is exactly one contract
    expect(unitsOf(lineOf('deribit', 'BTC-PERPETUAL'))).toEqual({
      minSize: minTrade, lotSize: minTrade, contractSize: size, amountUnit: 'AMOUNT_UNIT_QUOTE', contractSizeUnit: 'AMOUNT_UNIT_QUOTE',
    });
  });

  it('Binance COIN-M BTCUSD_PERP: quantity in contracts, min 1 contract of contractSize 100 USD', () => {
    const raw = rawEntry('binancecoinm', 'https://dapi.binance.com/dapi/v1/exchangeInfo', 'symbols', 'symbol', 'BTCUSD_PERP');
    const lot = listAt(raw, 'filters').find((f) => text(f, 'filterType') === 'LOT_SIZE');
    expect([text(raw, 'quoteAsset'), text(raw, 'contractSize'), text(lot, 'minQty')]).toEqual(['USD', '100', '1']);
    expect(unitsOf(lineOf('binancecoinm', 'BTCUSD_PERP'))).toEqual({
      minSize: '1', lotSize: canonical(text(lot, 'stepSize') ?? ''), contractSize: '100', amountUnit: 'AMOUNT_UNIT_CONTRACTS', contractSizeUnit: 'AMOUNT_UNIT_QUOTE',
    });
  });

  it('OKX BTC-USD-SWAP: sz in contracts, min 1 contract of ctVal 100 × ctMult 1 USD (ctValCcy)', () => {
    const raw = rawEntry('okx', 'https://www.okx.com/api/v5/public/instruments?instType=SWAP', 'data', 'instId', 'BTC-USD-SWAP');
    expect([text(raw, 'minSz'), text(raw, 'ctVal'), text(raw, 'ctMult'), text(raw, 'ctValCcy')]).toEqual(['1', '100', '1', 'USD']);
    expect(unitsOf(lineOf('okx', 'BTC-USD-SWAP'))).toEqual({
      minSize: '1', lotSize: text(raw, 'lotSz'), contractSize: '100', amountUnit: 'AMOUNT_UNIT_CONTRACTS', contractSizeUnit: 'AMOUNT_UNIT_QUOTE',
    });
  });

  it('Binance USD-M BTCUSDT: quantity in BTC (fapi has no contractSize), min 0.001 BTC', () => {
    const raw = rawEntry('binanceusdm', 'https://fapi.binance.com/fapi/v1/exchangeInfo', 'symbols', 'symbol', 'BTCUSDT');
    const lot = listAt(raw, 'filters').find((f) => text(f, 'filterType') === 'LOT_SIZE');
    expect([text(raw, 'baseAsset'), text(raw, 'contractSize'), text(lot, 'minQty')]).toEqual(['BTC', undefined, '0.001']);
    const line = lineOf('binanceusdm', 'BTCUSDT');
    expect(line['baseAsset']).toBe('BTC');
    expect(unitsOf(line)).toEqual({
      minSize: '0.001', lotSize: canonical(text(lot, 'stepSize') ?? ''), contractSize: '1', amountUnit: 'AMOUNT_UNIT_BASE', contractSizeUnit: 'AMOUNT_UNIT_BASE',
    });
  });

  it('OKX BTC option: sz in contracts, min 1 contract of ctVal 1 × ctMult 0.01 = 0.01 BTC (ctValCcy)', () => {
    const url = 'https://www.okx.com/api/v5/public/instruments?instType=OPTION&uly=BTC-USD';
    const raw = listAt(readRecorded('okx', url), 'data')[0];
    if (raw === undefined) throw new Error('no recorded OKX option');
    const instId = text(raw, 'instId') ?? '';
    expect([text(raw, 'ctValCcy'), text(raw, 'minSz')]).toEqual(['BTC', '1']);
    expect(unitsOf(lineOf('okx', instId))).toEqual({
      minSize: '1', lotSize: text(raw, 'lotSz'), contractSize: multiply(text(raw, 'ctVal') ?? '', text(raw, 'ctMult') ?? ''),
      amountUnit: 'AMOUNT_UNIT_CONTRACTS', contractSizeUnit: 'AMOUNT_UNIT_BASE',
    });
    expect(multiply(text(raw, 'ctVal') ?? '', text(raw, 'ctMult') ?? '')).toBe('0.01');
  });
});

it.each(IDS)('%s: every instrument states amount_unit, and every derivative with a contract size its unit', (id) => {
  const lines = linesOf(sync, id);
  expect(lines.length).toBeGreaterThan(0);
  const problems: string[] = [];
  for (const l of lines) {
    const name = String(l['exchangeRawSymbol']);
    const spot = l['instrumentType'] === 'INSTRUMENT_TYPE_SPOT';
    if (l['amountUnit'] === undefined) problems.push(`${name}: no amountUnit`);
    if (spot && l['amountUnit'] !== 'AMOUNT_UNIT_BASE') problems.push(`${name}: spot amountUnit ${String(l['amountUnit'])}`);
    const sizeUnit = l['contractSizeUnit'];
    if (spot || l['contractSize'] === undefined) {
      if (sizeUnit !== undefined) problems.push(`${name}: contractSizeUnit ${String(sizeUnit)} without a contract size`);
    } else if (sizeUnit !== 'AMOUNT_UNIT_BASE' && sizeUnit !== 'AMOUNT_UNIT_QUOTE') {
      problems.push(`${name}: contractSize ${String(l['contractSize'])} with contractSizeUnit ${String(sizeUnit)}`);
    }
  }
  expect(problems).toEqual([]);
});

// data_types: the mapping documented on InstrumentDefinition.data_types, applied to the CCXT
// class's own `has` table (a property of the class: constructing it makes no request).
const DOCUMENTED: Array<[string, string[], (type: string) => boolean]> = [
  ['book', ['fetchOrderBook', 'watchOrderBook'], () => true],
  ['funding_rate', ['fetchFundingRate', 'fetchFundingRates'], (t) => t === 'PERPETUAL'],
  ['liquidations', ['fetchLiquidations', 'watchLiquidations'], (t) => ['PERPETUAL', 'FUTURE', 'OPTION'].includes(t)],
  ['ohlcv', ['fetchOHLCV', 'watchOHLCV'], () => true],
  ['open_interest', ['fetchOpenInterest', 'fetchOpenInterests'], (t) => ['PERPETUAL', 'FUTURE', 'OPTION'].includes(t)],
  ['option_greeks', ['fetchGreeks'], (t) => t === 'OPTION'],
  ['ticker', ['fetchTicker', 'watchTicker'], () => true],
  ['trades', ['fetchTrades', 'watchTrades'], () => true],
];

function hasOf(id: string): Record<string, unknown> {
  return new (ccxt as unknown as Record<string, new () => { has: Record<string, unknown> }>)[id]!().has;
}

it.each(IDS)('%s: data_types follow the CCXT class\'s has and the instrument type, sorted', (id) => {
  const has = hasOf(id);
  const problems: string[] = [];
  for (const l of linesOf(sync, id)) {
    const type = String(l['instrumentType']).replace('INSTRUMENT_TYPE_', '');
    const want = DOCUMENTED
      .filter(([, methods, applies]) => applies(type) && methods.some((m) => has[m] === true || has[m] === 'emulated'))
      .map(([name]) => name);
    const ours = (l['dataTypes'] as string[] | undefined) ?? [];
    if (JSON.stringify(ours) !== JSON.stringify(want)) problems.push(`${String(l['exchangeRawSymbol'])} (${type}): expected [${want.join(', ')}], ours [${ours.join(', ')}]`);
  }
  expect(problems.slice(0, 10)).toEqual([]);
});

it('data_types by name: funding on a perpetual, greeks on an option, neither on spot', () => {
  const dataTypes = (id: string, raw: string, type?: string): unknown => lineOf(id, raw, type)['dataTypes'];
  expect(dataTypes('deribit', 'BTC-PERPETUAL')).toEqual(expect.arrayContaining(['funding_rate', 'open_interest', 'trades', 'book']));
  const option = listAt(readRecorded('deribit', 'https://www.deribit.com/api/v2/public/get_instruments'), 'result').find((i) => text(i, 'kind') === 'option');
  expect(dataTypes('deribit', text(option, 'instrument_name') ?? '')).toEqual(expect.arrayContaining(['option_greeks']));
  expect(dataTypes('deribit', text(option, 'instrument_name') ?? '')).not.toContain('funding_rate');
  const spot = dataTypes('binance', 'BTCUSDT', 'INSTRUMENT_TYPE_SPOT');
  expect(spot).toEqual(expect.arrayContaining(['book', 'ohlcv', 'ticker', 'trades']));
  expect(spot).not.toContain('funding_rate');
  expect(spot).not.toContain('open_interest');
});

// README's unit table (section "The contract") says what one order of min_size is: each named
// row must be what the service serves for that instrument.
it('README unit table rows equal the served min_size, amount_unit, contract_size and its unit', () => {
  const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').split('\n');
  const start = readme.findIndex((l) => l.startsWith('| exchange family (CCXT id) |'));
  expect(start).toBeGreaterThan(0);
  const problems: string[] = [];
  let id = '';
  let rows = 0;
  for (const row of readme.slice(start + 2)) {
    if (!row.startsWith('|')) break;
    const [family = '', instrument = '', minSize = '', amountUnit = '', , contractSize = ''] = row.split('|').slice(1).map((c) => c.trim());
    id = /`([a-z0-9]+)`/.exec(family)?.[1] ?? id;
    if (instrument === '') continue; // the "every other exchange" row
    rows += 1;
    const spot = contractSize === '—';
    const line = lineOf(id, instrument, spot ? 'INSTRUMENT_TYPE_SPOT' : undefined);
    const [size, sizeUnit] = spot ? [undefined, undefined] : contractSize.split(' ');
    const want = {
      minSize: minSize.startsWith('—') ? undefined : minSize,
      amountUnit: `AMOUNT_UNIT_${amountUnit}`,
      contractSize: size,
      contractSizeUnit: sizeUnit === undefined ? undefined : `AMOUNT_UNIT_${sizeUnit}`,
    };
    const ours = { minSize: line['minSize'], amountUnit: line['amountUnit'], contractSize: line['contractSize'], contractSizeUnit: line['contractSizeUnit'] };
    if (JSON.stringify(ours) !== JSON.stringify(want)) problems.push(`${id} ${instrument}: README ${JSON.stringify(want)}, served ${JSON.stringify(ours)}`);
  }
  expect(rows).toBeGreaterThanOrEqual(15);
  expect(problems).toEqual([]);
});
