// The changes a watching client must receive when an exchange is refreshed from an OLDER real
// recording to a NEWER one, computed from the two RAW responses alone. Nothing here calls the
// service's converter (src/domain/convert-market.ts) or CCXT: each raw instrument is projected onto
// the proto fields of InstrumentDefinition (proto/instruments/v1/instrument.proto) that can differ
// between two loads, following the raw field CCXT 4.5.84 maps into its unified market
// (node_modules/ccxt/js/src/binance.js and okx.js, parseMarket), which our definition follows.
// Then the two projections are compared field by field, decimals as decimals.
//
// Identity: an instrument is its raw symbol (binance `symbol`, okx `instId`). When the
// instrument_key (VENUE:TYPE:CCXT_SYMBOL) of a raw symbol differs between the two recordings, the
// service sees a different key: REMOVED (old key) + ADDED (new key), so the raw symbol is listed in
// both `removed` and `added`.
//
// Fields that never change between two loads of the same raw symbol under the same key, and so are
// not projected:
//  - instrument_key, venue, instrument_type, exchange_raw_symbol, tardis_symbol, tardis_exchange,
//    ccxt_exchange, ccxt_symbol: functions of the key / raw symbol / CCXT id.
//  - trading_fees_maker / trading_fees_taker: CCXT's static fee table per market kind
//    (binance.js `fees['trading']` / `fees['linear'|'inverse']`; okx.js `fees[type]`), never raw.
//  - data_provider, venue_type, asset_class, is_live: constants of a live load.
//  - last_updated: not compared by change detection; available_to_datetime: only set on removal.
//  - strike, option_type, price_significant_digits, tick_size_steps, amount_significant_digits:
//    empty for binance spot/USD-M and okx SWAP (no options, TICK_SIZE precision mode).
//  - data_types: a function of the CCXT class's `has` and the instrument type (part of the key).
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { isObject, listAt, parseLossless, type RawObject, type RawValue, text } from '../../conversion/support/raw-fixture.js';
import { canonical, multiply } from '../../support/exact-decimal.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../../support/fixtures.js';

export type ChangePair = 'binanceusdm' | 'binance-spot' | 'okx-swap';
export type RemovalReason = 'EXPIRED' | 'DELISTED';

export interface ExpectedChanges {
  /** Raw symbols the newer recording adds (or whose instrument_key changed), sorted. */
  added: string[];
  /** Raw symbols the newer recording no longer lists (or whose key changed), sorted by raw symbol. */
  removed: Array<{ rawSymbol: string; reason: RemovalReason }>;
  /** Raw symbols in both recordings under the same key whose definition differs, sorted. */
  updated: Array<{ rawSymbol: string; fields: string[] /* sorted snake_case proto field names */ }>;
}

/** One recorded body: which fixture set, which URL of its index.json, which instrument list. */
interface Source {
  /** Folder under test/fixtures (exchanges/<id> or exchanges-dated/<id>@<date>). */
  set: string;
  url: string;
}

interface PairSpec {
  /** The CCXT id the e2e service runs for this pair. */
  ccxtExchange: 'binanceusdm' | 'binance' | 'okx';
  older: Source;
  newer: Source;
  /** When the newer dated endpoint was recorded (server time where the response has one). */
  newerRecordedAt: Date;
  olderRecordedAt: Date;
}

const FAPI = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
const SPOT = 'https://api.binance.com/api/v3/exchangeInfo';
const OKX_SWAP = 'https://www.okx.com/api/v5/public/instruments?instType=SWAP';

export const PAIRS: Record<ChangePair, PairSpec> = {
  binanceusdm: {
    ccxtExchange: 'binanceusdm',
    older: { set: 'exchanges-dated/binanceusdm@2024-12-13', url: FAPI },
    newer: { set: 'exchanges/binanceusdm', url: FAPI },
    olderRecordedAt: new Date(1734062407476), // serverTime of the older body
    newerRecordedAt: new Date(1755842414174), // serverTime of the newer body
  },
  // `binance` also loads fapi/dapi, but the dated set reuses the undated bodies byte for byte
  // (index.json `reusedFrom`), so only spot can change.
  'binance-spot': {
    ccxtExchange: 'binance',
    older: { set: 'exchanges-dated/binance@2022-12-17', url: SPOT },
    newer: { set: 'exchanges/binance', url: SPOT },
    olderRecordedAt: new Date(1671261735346),
    newerRecordedAt: new Date(1694185561976),
  },
  // Only SWAP is a complete list in both sets: the newer SPOT is a 5-instrument trimmed sample
  // (the e2e run will also see all 590 older SPOT instruments REMOVED and the 5 sampled ones ADDED:
  // artefacts of the trimming, not real listings), and FUTURES/OPTION are byte-identical reuses (no
  // change). This pair covers SWAP (INSTRUMENT_TYPE_PERPETUAL) only: filter the stream to it.
  'okx-swap': {
    ccxtExchange: 'okx',
    older: { set: 'exchanges-dated/okx@2022-07-23', url: OKX_SWAP },
    newer: { set: 'exchanges/okx', url: OKX_SWAP },
    olderRecordedAt: new Date('2022-07-23T08:18:09Z'), // commit time (OKX bodies carry no timestamp)
    newerRecordedAt: new Date(1759410600000), // newest listTime: a lower bound of ~2025-10-02
  },
};

// ---------------------------------------------------------------------------------------------
// Reading the recorded bodies (numbers kept as their source text).

interface IndexFile {
  urls: Record<string, { file: string; reusedFrom?: string }>;
}

function readBody(source: Source): RawValue {
  const root = source.set.startsWith('exchanges-dated/') ? EXCHANGES_DATED_DIR : EXCHANGES_DIR;
  const dir = path.join(root, source.set.replace(/^exchanges(-dated)?\//, ''));
  const index = JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as IndexFile;
  const entry = index.urls[source.url];
  if (entry === undefined) throw new Error(`${source.set}/index.json records no ${source.url}`);
  return parseLossless(readFileSync(path.join(dir, entry.file), 'utf8'));
}

/** The raw instrument list of a body: binance `symbols`, okx `data`. */
export function rawInstruments(pair: ChangePair, which: 'older' | 'newer'): RawObject[] {
  const body = readBody(PAIRS[pair][which]);
  return listAt(body, pair === 'okx-swap' ? 'data' : 'symbols');
}

export function rawSymbolOf(pair: ChangePair, raw: RawObject): string | undefined {
  return text(raw, pair === 'okx-swap' ? 'instId' : 'symbol');
}

// ---------------------------------------------------------------------------------------------
// Value helpers: what CCXT's safeString/safeNumber/safeInteger see. CCXT treats a missing key,
// null and "" alike (base/functions/type.js `prop`), and so does `text()`.

/** A raw decimal as canonical text, '' when absent. Throws if it would not survive a double. */
function dec(o: RawObject | undefined, key: string): string {
  const t = text(o, key);
  if (t === undefined) return '';
  const c = canonical(t);
  // CCXT parses every value into a JS number (safeNumber) before our converter prints it back:
  // two different decimals stay different, and equal ones equal, only up to 15 significant digits.
  const significant = c.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
  if (significant.length > 15) throw new Error(`${key}=${t}: more than 15 significant digits`);
  return c;
}

/** A raw epoch-millisecond integer as an ISO time, '' when absent or not positive (timeOf). */
function time(o: RawObject | undefined, key: string): string {
  const t = text(o, key);
  if (t === undefined) return '';
  const ms = Math.trunc(Number(t)); // CCXT safeInteger
  return Number.isFinite(ms) && ms > 0 ? new Date(ms).toISOString() : '';
}

function firstTime(o: RawObject, ...keys: string[]): string {
  // CCXT safeInteger2(k1, k2): the first key with a non-empty value.
  for (const k of keys) if (text(o, k) !== undefined) return time(o, k);
  return '';
}

/** A tick/lot increment as CCXT TICK_SIZE precision: '' when absent, zero or negative (incrementRule). */
function increment(o: RawObject | undefined, key: string): string {
  const d = dec(o, key);
  return d === '' || d === '0' || d.startsWith('-') ? '' : d;
}

// CCXT's currency codes without loaded currencies (neither id loads them without an API key):
// Exchange.safeCurrency → commonCurrencyCode(id.toUpperCase()), with the commonCurrencies tables
// of base/Exchange.js (XBT, BCHSV), binance.js (BCC, YOYO) and okx.js (AE). Only the key uses them.
const COMMON_CURRENCIES: Record<'binance' | 'okx', Record<string, string>> = {
  binance: { XBT: 'BTC', BCHSV: 'BSV', BCC: 'BCC', YOYO: 'YOYOW' },
  okx: { XBT: 'BTC', BCHSV: 'BSV', AE: 'AET' },
};
function currencyCode(family: 'binance' | 'okx', id: string | undefined): string {
  if (id === undefined) return '';
  const upper = id.toUpperCase();
  return COMMON_CURRENCIES[family][upper] ?? upper;
}

/** CCXT yymmdd: the UTC date of an epoch-ms time as YYMMDD. */
function yymmdd(ms: number): string {
  const d = new Date(ms);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(d.getUTCFullYear() % 100)}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}`;
}

// ---------------------------------------------------------------------------------------------
// Projection: raw instrument → instrument_key + the proto fields that can change.

export interface Projection {
  rawSymbol: string;
  key: string;
  /** Expiry in epoch ms (futures), for the EXPIRED/DELISTED split of a removal. */
  expiryMs: number | undefined;
  /** snake_case proto field name → comparable value ('' = unset/empty). */
  fields: Record<string, string>;
}

/** Binance's deliveryDate for contracts that never deliver (2100-12-25T08:00Z). */
const PERPETUAL_DELIVERY_DATE = 4133404800000;

function filtersOf(symbol: RawObject): Map<string, RawObject> {
  const byType = new Map<string, RawObject>();
  for (const f of listAt(symbol, 'filters')) {
    const type = text(f, 'filterType');
    if (type !== undefined) byType.set(type, f);
  }
  return byType;
}

/** TRADING/HALTED/INCOMPLETE as the contract defines them, plus the incomplete field names. */
function statusFields(active: boolean, incomplete: string[]): Record<string, string> {
  return {
    // active: CCXT's `active` (our definition: active = m.active !== false).
    active: String(active),
    // status: INCOMPLETE when a required parameter is missing, else TRADING if active else HALTED.
    status: incomplete.length > 0 ? 'INCOMPLETE' : active ? 'TRADING' : 'HALTED',
    incomplete_fields: incomplete.join(','),
  };
}

function projectBinance(raw: RawObject, line: 'spot' | 'usdm'): Projection {
  const id = text(raw, 'symbol');
  if (id === undefined) throw new Error('binance symbol without "symbol"');
  const filters = filtersOf(raw);
  const price = filters.get('PRICE_FILTER');
  const lot = filters.get('LOT_SIZE');
  // Without these filters CCXT falls back to pricePrecision/quantityPrecision; no recorded symbol
  // lacks them, so that fallback is not modelled: fail loudly instead.
  if (price === undefined || lot === undefined) throw new Error(`${id}: no PRICE_FILTER or LOT_SIZE`);
  // CCXT: safeDict2(filtersByType, 'MIN_NOTIONAL', 'NOTIONAL') (MIN_NOTIONAL wins), then
  // limits.cost.min = safeNumber2(filter, 'minNotional', 'notional'), limits.cost.max = maxNotional.
  const notional = filters.get('MIN_NOTIONAL') ?? filters.get('NOTIONAL');
  const minNotional = text(notional, 'minNotional') !== undefined ? dec(notional, 'minNotional') : dec(notional, 'notional');

  const baseId = text(raw, 'baseAsset');
  const quoteId = text(raw, 'quoteAsset');
  const base = currencyCode('binance', baseId);
  const quote = currencyCode('binance', quoteId);
  const status = text(raw, 'status') ?? text(raw, 'contractStatus');

  const tick = increment(price, 'tickSize'); // precision.price ← PRICE_FILTER.tickSize
  const lotSize = increment(lot, 'stepSize'); // precision.amount ← LOT_SIZE.stepSize
  const common: Record<string, string> = {
    tick_size: tick,
    price_precision_mode: tick === '' ? 'UNSPECIFIED' : 'TICK_SIZE',
    lot_size: lotSize,
    amount_precision_mode: lotSize === '' ? 'UNSPECIFIED' : 'TICK_SIZE',
    min_size: dec(lot, 'minQty'), // limits.amount.min ← LOT_SIZE.minQty
    max_size: dec(lot, 'maxQty'), // limits.amount.max ← LOT_SIZE.maxQty
    min_notional: minNotional, // limits.cost.min ← MIN_NOTIONAL.notional (USD-M) / (MIN_)NOTIONAL.minNotional (spot)
    max_notional: dec(notional, 'maxNotional'), // limits.cost.max ← NOTIONAL.maxNotional (spot only)
    min_price: dec(price, 'minPrice'), // limits.price.min ← PRICE_FILTER.minPrice
    max_price: dec(price, 'maxPrice'), // limits.price.max ← PRICE_FILTER.maxPrice
    exchange_status: status ?? '', // info.status (our exchangeStatus reads info.status first)
    base_asset: base, // baseAsset (part of the key)
    quote_asset: quote, // quoteAsset (part of the key)
  };
  const incomplete: string[] = [];
  if (tick === '') incomplete.push('tick_size');
  if (lotSize === '') incomplete.push('lot_size');
  if (base === '') incomplete.push('base_asset');
  if (quote === '') incomplete.push('quote_asset');

  if (line === 'spot') {
    if ('contractType' in raw) throw new Error(`${id}: spot body holds a contract`);
    // CCXT: active = status === 'TRADING', and false for spot when permissions hold TRD_GRP_003.
    const permissions = Array.isArray(raw['permissions']) ? raw['permissions'] : [];
    const active = status === 'TRADING' && !permissions.includes('TRD_GRP_003');
    if ('tradability' in raw) throw new Error(`${id}: tokenized-stock market (tradability) not modelled`);
    return {
      rawSymbol: id,
      key: `BINANCE-SPOT:SPOT:${base}/${quote}`,
      expiryMs: undefined,
      fields: {
        ...common,
        settle_asset: '',
        contract_size: '',
        amount_unit: 'BASE', // api/v3 order quantity is in baseAsset
        contract_size_unit: '',
        linear: '',
        inverse: '',
        expiry: '',
        underlying: '', // no underlying for spot
        listing_time: '', // spot has no onboardDate
        available_from_datetime: '',
        ...statusFields(active, incomplete),
      },
    };
  }

  // USD-M. CCXT: swap when contractType === 'PERPETUAL' or deliveryDate is the 2100 sentinel
  // (BTCSTUSDT had contractType ""); otherwise a future expiring at deliveryDate. A SETTLING
  // perpetual's deliveryDate (its delisting time) is therefore not an expiry.
  const contractType = text(raw, 'contractType');
  const deliveryText = text(raw, 'deliveryDate') ?? text(raw, 'expiryDate');
  const delivery = deliveryText === undefined ? undefined : Math.trunc(Number(deliveryText));
  const swap = contractType === 'PERPETUAL' || delivery === PERPETUAL_DELIVERY_DATE;
  if (!swap && delivery === undefined) throw new Error(`${id}: neither perpetual nor dated (contractType=${contractType ?? '-'})`);
  if ('underlying' in raw) throw new Error(`${id}: option market not modelled`);
  const settleId = text(raw, 'marginAsset');
  const settle = currencyCode('binance', settleId);
  // linear = settle === quote, inverse = settle === base (codes); the venue follows the line.
  const linear = settle === quote;
  const inverse = settle === base;
  const venue = inverse && !linear ? 'BINANCE-DELIVERY' : 'BINANCE-FUTURES';
  const symbol = swap ? `${base}/${quote}:${settle}` : `${base}/${quote}:${settle}-${yymmdd(delivery ?? 0)}`;
  if (settle === '') incomplete.push('settle_asset');
  const listing = firstTime(raw, 'onboardDate', 'listingTime'); // CCXT created ← onboardDate
  return {
    rawSymbol: id,
    key: `${venue}:${swap ? 'PERPETUAL' : 'FUTURE'}:${symbol}`,
    expiryMs: swap ? undefined : delivery,
    fields: {
      ...common,
      settle_asset: settle, // marginAsset (part of the key)
      // CCXT contractSize = safeNumber2('contractSize', 'unit', 1): USD-M has neither, so 1.
      contract_size: text(raw, 'contractSize') !== undefined ? dec(raw, 'contractSize') : '1',
      amount_unit: 'BASE', // fapi order quantity is in baseAsset
      contract_size_unit: 'BASE', // one USD-M "contract" is 1 baseAsset
      linear: linear || inverse ? String(linear) : '',
      inverse: linear || inverse ? String(inverse) : '',
      expiry: swap ? '' : new Date(delivery ?? 0).toISOString(), // deliveryDate (futures only)
      underlying: text(raw, 'pair') ?? `${base}/${quote}`, // our underlying reads info.pair for binance
      listing_time: listing,
      available_from_datetime: listing, // both from CCXT `created`
      ...statusFields(status === 'TRADING', incomplete), // CCXT active = status === 'TRADING'
    },
  };
}

function projectOkxSwap(raw: RawObject): Projection {
  const id = text(raw, 'instId');
  if (id === undefined) throw new Error('okx instrument without instId (CCXT skips those; none expected)');
  if (text(raw, 'instType') !== 'SWAP') throw new Error(`${id}: instType ${text(raw, 'instType') ?? '-'} in the SWAP body`);
  // CCXT: for contracts base/quote come from uly split at '-' (baseCcy/quoteCcy are empty on swaps);
  // settle ← settleCcy. symbol = base/quote:settle, or instId(:settle) when base or quote is empty.
  const uly = text(raw, 'uly');
  let baseId = text(raw, 'baseCcy') ?? '';
  let quoteId = text(raw, 'quoteCcy') ?? '';
  if (uly !== undefined) [baseId = '', quoteId = ''] = uly.split('-');
  const settleId = text(raw, 'settleCcy');
  const base = currencyCode('okx', baseId === '' ? undefined : baseId);
  const quote = currencyCode('okx', quoteId === '' ? undefined : quoteId);
  const settle = currencyCode('okx', settleId);
  let symbol = base === '' || quote === '' ? id : `${base}/${quote}`;
  if (settleId !== undefined) symbol += `:${settle}`;

  const tick = increment(raw, 'tickSz'); // precision.price ← tickSz
  const lotSize = increment(raw, 'lotSz'); // precision.amount ← lotSz
  // contract_size ← ctVal × ctMult (our definition; CCXT's contractSize is ctVal alone).
  const ctVal = dec(raw, 'ctVal');
  const ctMult = dec(raw, 'ctMult');
  const contractSize = ctVal === '' ? '' : ctMult === '' ? ctVal : multiply(ctVal, ctMult);
  const incomplete: string[] = [];
  if (tick === '') incomplete.push('tick_size');
  if (lotSize === '') incomplete.push('lot_size');
  if (base === '') incomplete.push('base_asset');
  if (quote === '') incomplete.push('quote_asset');
  if (settle === '') incomplete.push('settle_asset');
  if (contractSize === '') incomplete.push('contract_size');
  // linear = quoteId === settleId, inverse = baseId === settleId (raw ids, not ctType);
  // our definition leaves both unset when neither holds.
  const linear = settleId !== undefined && quoteId === settleId;
  const inverse = settleId !== undefined && baseId === settleId;
  const listing = firstTime(raw, 'contTdSwTime', 'listTime'); // CCXT created ← contTdSwTime ?? listTime
  return {
    rawSymbol: id,
    key: `OKX:PERPETUAL:${symbol}`,
    expiryMs: undefined,
    fields: {
      tick_size: tick,
      price_precision_mode: tick === '' ? 'UNSPECIFIED' : 'TICK_SIZE',
      lot_size: lotSize,
      amount_precision_mode: lotSize === '' ? 'UNSPECIFIED' : 'TICK_SIZE',
      min_size: dec(raw, 'minSz'), // limits.amount.min ← minSz
      max_size: dec(raw, 'maxLmtSz'), // limits.amount.max ← maxLmtSz
      min_notional: '', // OKX publishes no minimum order value
      max_notional: '', // limits.cost.max ← maxMktSz for SPOT only; undefined for contracts
      min_price: '', // limits.price undefined
      max_price: '',
      contract_size: contractSize,
      amount_unit: 'CONTRACTS', // SWAP order sz is in contracts
      // ctValCcy: the currency one contract is worth ctVal × ctMult of (uly's base or quote).
      contract_size_unit: contractSize === '' ? ''
        : text(raw, 'ctValCcy') === baseId ? 'BASE' : text(raw, 'ctValCcy') === quoteId ? 'QUOTE' : '',
      exchange_status: text(raw, 'state') ?? '', // info.state
      base_asset: base,
      quote_asset: quote,
      settle_asset: settle,
      linear: linear || inverse ? String(linear) : '',
      inverse: linear || inverse ? String(inverse) : '',
      expiry: '', // swaps: expTime would be a delisting time, never an expiry
      underlying: uly ?? (base !== '' && quote !== '' ? `${base}/${quote}` : ''), // info.uly
      listing_time: listing,
      available_from_datetime: listing,
      ...statusFields(text(raw, 'state') === 'live', incomplete), // CCXT active = state === 'live'
    },
  };
}

export function project(pair: ChangePair, raw: RawObject): Projection {
  switch (pair) {
    case 'binanceusdm': return projectBinance(raw, 'usdm');
    case 'binance-spot': return projectBinance(raw, 'spot');
    case 'okx-swap': return projectOkxSwap(raw);
  }
}

/** Projections of one recording by raw symbol; throws on a duplicate raw symbol or key. */
export function projections(pair: ChangePair, which: 'older' | 'newer'): Map<string, Projection> {
  const byRaw = new Map<string, Projection>();
  const keys = new Map<string, string>();
  for (const raw of rawInstruments(pair, which)) {
    if (!isObject(raw)) continue;
    const p = project(pair, raw);
    if (byRaw.has(p.rawSymbol)) throw new Error(`${pair} ${which}: raw symbol ${p.rawSymbol} twice`);
    const other = keys.get(p.key);
    // CCXT indexes markets by symbol: two raw symbols on one key would hide one of them.
    if (other !== undefined) throw new Error(`${pair} ${which}: ${other} and ${p.rawSymbol} share key ${p.key}`);
    byRaw.set(p.rawSymbol, p);
    keys.set(p.key, p.rawSymbol);
  }
  return byRaw;
}

/** Field names whose projected values differ, sorted. */
export function differingFields(before: Projection, after: Projection): string[] {
  const names = new Set([...Object.keys(before.fields), ...Object.keys(after.fields)]);
  return [...names].filter((n) => (before.fields[n] ?? '') !== (after.fields[n] ?? '')).sort();
}

const bySymbol = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The changes of refreshing `pair` from its older recording to its newer one at `refreshTime`:
 * a removed instrument is EXPIRED when its expiry is at or before refreshTime, else DELISTED
 * (the service's rule: expiry <= now).
 */
export function expectedChanges(pair: ChangePair, refreshTime: Date): ExpectedChanges {
  const older = projections(pair, 'older');
  const newer = projections(pair, 'newer');
  const added: string[] = [];
  const removed: ExpectedChanges['removed'] = [];
  const updated: ExpectedChanges['updated'] = [];
  const removal = (p: Projection): RemovalReason =>
    p.expiryMs !== undefined && p.expiryMs <= refreshTime.getTime() ? 'EXPIRED' : 'DELISTED';

  for (const [rawSymbol, before] of older) {
    const after = newer.get(rawSymbol);
    if (after === undefined) {
      removed.push({ rawSymbol, reason: removal(before) });
    } else if (after.key !== before.key) {
      removed.push({ rawSymbol, reason: removal(before) });
      added.push(rawSymbol);
    } else {
      const fields = differingFields(before, after);
      if (fields.length > 0) updated.push({ rawSymbol, fields });
    }
  }
  for (const rawSymbol of newer.keys()) if (!older.has(rawSymbol)) added.push(rawSymbol);

  added.sort(bySymbol);
  removed.sort((a, b) => bySymbol(a.rawSymbol, b.rawSymbol));
  updated.sort((a, b) => bySymbol(a.rawSymbol, b.rawSymbol));
  return { added, removed, updated };
}

/** How many updated instruments changed each field, by field name (sorted). */
export function fieldCounts(changes: ExpectedChanges): Record<string, number> {
  const counts = new Map<string, number>();
  for (const u of changes.updated) for (const f of u.fields) counts.set(f, (counts.get(f) ?? 0) + 1);
  return Object.fromEntries([...counts].sort(([a], [b]) => bySymbol(a, b)));
}
