#!/usr/bin/env node
// A synthetic universe of N instruments for the scale benches: a replay fixture root (the layout
// of test/fixtures/exchanges, see its README) in which the recorded exchange responses are
// replicated under distinct symbols. Copy 0 of a market is the recorded one; copy k renames its
// base asset BTC → BTCX<k> in every field CCXT builds the market id, base or settle from (and the
// raw ids that embed it: BTCUSDT → BTCX<k>USDT, BTC-USD-SWAP → BTCX<k>-USD-SWAP), and keeps every
// other field (tick size, lot size, contract size, expiry...) as recorded.
//
// Every recorded market list is scaled by the same factor (N / recorded total), so the universe has
// the recorded mix of exchanges and instrument types, and each response grows by that factor only
// (~9× at 100k: the largest, Binance spot, becomes ~33 MB). Binance is limited to spot (its
// futures are binanceusdm's and binancecoinm's lists), so no instrument is listed twice and each
// URL belongs to one set. Every set's ccxtOptions turn CCXT's rate limiter off (see writeSet).
//
//   node bench/support/synthetic-universe.mjs --instruments 100000 --out DIR
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { FIXTURES } from './service-process.mjs';

/**
 * How to replicate one recorded body: where its market list is, which base asset a market has,
 * the id fields that must start with the base (renamed, else an error), fields renamed when they
 * start with it (underlying, display names), and fields renamed when equal to it (the base field
 * itself, and settle or margin currencies when they are the base: inverse contracts).
 */
const binanceFutures = { list: 'symbols', base: (m) => m.baseAsset, ids: ['symbol', 'pair'], equal: ['baseAsset', 'marginAsset'] };
const okx = {
  list: 'data',
  // CCXT takes a derivative's base from `uly`; a "preopen" swap has only its instId.
  base: (m) => (m.instType === 'SPOT' ? m.baseCcy : (m.uly || m.instId).split('-')[0]),
  ids: ['instId'],
  prefixed: ['uly', 'instFamily'],
  equal: ['baseCcy', 'settleCcy', 'ctValCcy'],
};

/** A universe for smoke runs: three exchanges (each costs a process importing CCXT), quick to fill. */
export const SMOKE_EXCHANGES = ['binanceusdm', 'deribit', 'okx'];

/** Per exchange: the bodies to replicate (file → rule), the CCXT options; other URLs are copied. */
export const UNIVERSE = {
  binance: {
    ccxtOptions: { options: { fetchMarkets: { types: ['spot'] } } },
    urls: ['https://api.binance.com/api/v3/exchangeInfo'],
    files: { 'api_v3_exchangeInfo.json': { list: 'symbols', base: (m) => m.baseAsset, ids: ['symbol'], equal: ['baseAsset'] } },
  },
  binanceusdm: { files: { 'fapi_v1_exchangeInfo.json': binanceFutures } },
  binancecoinm: { files: { 'dapi_v1_exchangeInfo.json': binanceFutures } },
  deribit: { files: { 'get_instruments.json': { list: 'result', base: (m) => m.base_currency, ids: ['instrument_name'], equal: ['base_currency', 'settlement_currency'] } } },
  okx: { files: { 'instruments_SPOT.json': okx, 'instruments_FUTURES.json': okx, 'instruments_SWAP.json': okx, 'instruments_OPTION.json': okx } },
  mexc: {
    files: {
      'api_v3_exchangeInfo.json': { list: 'symbols', base: (m) => m.baseAsset, ids: ['symbol'], equal: ['baseAsset'] },
      'api_v1_contract_detail.json': { list: 'data', base: (m) => m.baseCoin, ids: ['symbol'], prefixed: ['displayName', 'displayNameEn'], equal: ['baseCoin', 'settleCoin', 'baseCoinName'] },
    },
  },
  // The list is an object keyed by ticker.
  dydx: { files: { 'v4_perpetualMarkets.json': { list: 'markets', keyedBy: 'ticker', base: (m) => m.ticker.split('-')[0], ids: ['ticker'] } } },
};

/** Copy `copy` of a recorded market: copy 0 is the market itself. */
export function renameMarket(market, rule, copy) {
  if (copy === 0) return market;
  const base = rule.base(market);
  if (!base) throw new Error(`market without a base asset: ${JSON.stringify(market).slice(0, 200)}`);
  const renamed = `${base}X${copy}`;
  const out = { ...market };
  for (const field of rule.ids) {
    if (typeof out[field] !== 'string' || !out[field].startsWith(base)) throw new Error(`${field} "${out[field]}" does not start with the base asset ${base}`);
    out[field] = renamed + out[field].slice(base.length);
  }
  for (const field of rule.prefixed ?? []) if (typeof out[field] === 'string' && out[field].startsWith(base)) out[field] = renamed + out[field].slice(base.length);
  for (const field of rule.equal ?? []) if (out[field] === base) out[field] = renamed;
  return out;
}

function recordedMarkets(body, rule) {
  const list = body[rule.list];
  return rule.keyedBy ? Object.values(list) : list;
}

/** The first `count` markets of the endless sequence copy 0, copy 1, ... of `markets`. */
function replicate(markets, rule, count) {
  const out = [];
  for (let i = 0; i < count; i++) out.push(renameMarket(markets[i % markets.length], rule, Math.floor(i / markets.length)));
  return out;
}

/**
 * How many markets each file gets: its recorded count × instruments / recorded total, rounded so
 * that the counts add up to `instruments` exactly (largest remainders).
 */
function apportion(files, instruments) {
  const total = files.reduce((n, f) => n + f.recorded, 0);
  const shares = files.map((f) => f.recorded * instruments / total);
  const counts = shares.map(Math.floor);
  let left = instruments - counts.reduce((a, b) => a + b, 0);
  const byRemainder = shares.map((s, i) => [s - Math.floor(s), i]).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) if (left-- > 0) counts[i]++;
  return counts;
}

function readJson(path) {
  return JSON.parse(readFileSync(path, 'utf8'));
}

/**
 * Writes the fixture root to `dir` (one set per exchange id) and returns, per exchange, the
 * markets written: the instruments CCXT should list. `ids` limits the exchanges (default all).
 */
export function writeSyntheticUniverse({ instruments, dir, ids = Object.keys(UNIVERSE) }) {
  const files = [];
  for (const id of ids) {
    for (const [file, rule] of Object.entries(UNIVERSE[id].files)) {
      const body = readJson(join(FIXTURES, id, file));
      files.push({ id, file, rule, body, recorded: recordedMarkets(body, rule).length });
    }
  }
  const counts = apportion(files, instruments);
  const perExchange = Object.fromEntries(ids.map((id) => [id, 0]));
  const written = new Map();
  files.forEach((f, i) => {
    const markets = replicate(recordedMarkets(f.body, f.rule), f.rule, counts[i]);
    const body = { ...f.body, [f.rule.list]: f.rule.keyedBy ? Object.fromEntries(markets.map((m) => [m[f.rule.keyedBy], m])) : markets };
    written.set(`${f.id}/${f.file}`, Buffer.from(JSON.stringify(body)));
    perExchange[f.id] += markets.length;
  });
  for (const id of ids) writeSet(dir, id, written);
  return { dir, ids, perExchange, instruments: Object.values(perExchange).reduce((a, b) => a + b, 0) };
}

/** One set: its replicated bodies, its other recorded bodies as they are, and its index.json. */
function writeSet(root, id, written) {
  const spec = UNIVERSE[id];
  const recordedIndex = readJson(join(FIXTURES, id, 'index.json'));
  const keep = spec.urls ?? Object.keys(recordedIndex.urls);
  const setDir = join(root, id);
  mkdirSync(setDir, { recursive: true });
  const urls = {};
  for (const url of keep) {
    const entry = recordedIndex.urls[url];
    const bytes = written.get(`${id}/${entry.file}`) ?? readFileSync(join(FIXTURES, id, entry.file));
    writeFileSync(join(setDir, entry.file), bytes);
    urls[url] = { ...entry, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex'), source: `synthetic from ${id}/${entry.file}` };
  }
  // CCXT's rate limiter only adds waits between requests (no CPU; a mexc reload waits ~6 s):
  // against a local replay server it just slows the benches down.
  const ccxtOptions = { ...(spec.ccxtOptions ?? recordedIndex.ccxtOptions), enableRateLimit: false };
  const index = { ...recordedIndex, ccxtOptions, urls, note: 'Synthetic scale universe (bench/support/synthetic-universe.mjs).' };
  writeFileSync(join(setDir, 'index.json'), JSON.stringify(index, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { instruments: { type: 'string', default: '100000' }, out: { type: 'string' } }, strict: true });
  if (!values.out) throw new Error('--out DIR is required');
  const result = writeSyntheticUniverse({ instruments: Number(values.instruments), dir: values.out });
  console.log(JSON.stringify(result));
}
