import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR, FIXTURES_DIR, readRawJson } from '../support/fixtures.js';
import { marketCount, marketOf, replayExchange } from './exchange-factory.js';
import { binanceSymbols, binanceTick, EXCHANGE_SPECS } from './raw-fixtures.js';

const FAPI_URL = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
const OKX_SPOT_URL = 'https://www.okx.com/api/v5/public/instruments?instType=SPOT';
const USDM_DATED = 'exchanges-dated/binanceusdm@2024-12-13/fapi_v1_exchangeInfo.json';
const USDM_NOW = 'exchanges/binanceusdm/fapi_v1_exchangeInfo.json';

/** Byte equality via Buffer.equals: vitest's deep toEqual walks MB-sized buffers slowly. */
async function sameBytes(res: Response, relPath: string): Promise<boolean> {
  const body = Buffer.from(await res.arrayBuffer());
  return body.equals(readFileSync(path.join(FIXTURES_DIR, relPath)));
}

let server: ReplayServer;
/** Exchanges already loaded, by prefix: binance parsing takes ~0.5 s, so tests share them. */
const loaded = new Map<string, Exchange>();

async function loadedExchange(prefix: string): Promise<Exchange> {
  const cached = loaded.get(prefix);
  if (cached !== undefined) return cached;
  const exchange = replayExchange(server, prefix);
  await exchange.loadMarkets();
  loaded.set(prefix, exchange);
  return exchange;
}

beforeAll(async () => {
  server = await startReplayServer({ fixturesDir: EXCHANGES_DIR, roots: [EXCHANGES_DATED_DIR] });
});

afterAll(async () => {
  await server.close();
});

describe('loadMarkets through the real ccxt, one prefix per exchange', () => {
  for (const spec of EXCHANGE_SPECS) {
    it(`${spec.id}: every raw instrument becomes a market`, async () => {
      const exchange = await loadedExchange(spec.id);
      expect(marketCount(exchange)).toBe(spec.rawCount());
      const market = marketOf(exchange, spec.symbol);
      expect(market.id).toBe(spec.rawId);
      expect(market.precision.price).toBe(spec.rawTick());
    });
  }

  it('okx: ccxt sent percent-encoded query URLs and the server decoded them', () => {
    const okxUrls = server
      .requestLog()
      .filter((entry) => entry.prefix === 'okx')
      .map((entry) => [entry.url, entry.status]);
    expect(okxUrls).toContainEqual([OKX_SPOT_URL, 200]);
    expect(okxUrls).toContainEqual([
      'https://www.okx.com/api/v5/public/instruments?instType=OPTION&uly=BTC-USD',
      200,
    ]);
  });
});

describe('request paths', () => {
  it('serves a percent-encoded target byte for byte, with and without prefix', async () => {
    for (const base of [server.proxyUrlFor(), server.proxyUrlFor('okx')]) {
      const res = await fetch(base + encodeURIComponent(OKX_SPOT_URL));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await sameBytes(res, 'exchanges/okx/instruments_SPOT.json')).toBe(true);
    }
  });

  it('serves a raw (unencoded) target unchanged', async () => {
    const res = await fetch(`${server.proxyUrlFor('binanceusdm')}${FAPI_URL}`);
    expect(res.status).toBe(200);
    expect(await sameBytes(res, USDM_NOW)).toBe(true);
  });

  it('answers an unknown URL itself with a 404 naming it', async () => {
    const unknown = 'https://api.binance.com/api/v3/nothing?x=1';
    const res = await fetch(server.proxyUrlFor('binance') + encodeURIComponent(unknown));
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(unknown);
    // Answered from the recordings' index (never passed on anywhere): logged as its own error.
    expect(server.requestLog().filter((e) => e.url === unknown)).toEqual([expect.objectContaining({ prefix: 'binance', status: 404, source: 'error' })]);
    expect((await fetch(`${server.url}nowhere/${FAPI_URL}`)).status).toBe(404);
    expect((await fetch(`${server.url}favicon.ico`)).status).toBe(400);
  });

  it('makes ccxt loadMarkets reject (not hang) when a URL has no recording', async () => {
    // ccxt's default okx underlyings include ETH-USD, which has no recording.
    const okx = replayExchange(server, 'okx', { options: {} });
    // The rejection is the replay server's 404 reaching CCXT, not a timeout of a request left hanging.
    await expect(okx.loadMarkets()).rejects.toThrow(/ 404 Not Found replay: no recording for https:\/\/www\.okx\.com\/api\/v5\/public\/instruments\?instType=OPTION&uly=ETH-USD/);
    expect(server.requestLog()).toContainEqual(
      expect.objectContaining({
        prefix: 'okx',
        url: 'https://www.okx.com/api/v5/public/instruments?instType=OPTION&uly=ETH-USD',
        status: 404,
      }),
    );
  });

  it('serves undated sets on the unprefixed path, but never dated ones', async () => {
    const before = server.requestCount(FAPI_URL);
    const usdm = replayExchange(server, 'binanceusdm');
    usdm.proxyUrl = server.proxyUrlFor();
    await usdm.loadMarkets();
    expect(marketCount(usdm)).toBe(binanceSymbols(USDM_NOW).length);
    expect(server.requestCount(FAPI_URL)).toBe(before + 1);
    expect(server.requestLog().at(-1)).toMatchObject({ prefix: null, url: FAPI_URL, source: 'global' });
    // kraken is recorded only in dated sets, which disagree with each other.
    const res = await fetch(`${server.url}https://api.kraken.com/0/public/AssetPairs`);
    expect(res.status).toBe(404);
  });
});

describe('dated sets', () => {
  it('binance@2022-12-17 loads the older spot list under its own prefix', async () => {
    expect(server.exchangeFor('binance@2022-12-17')).toBe('binance');
    expect(server.proxyUrlFor('binance@2022-12-17')).toBe(`${server.url}binance@2022-12-17/`);
    const dated = await loadedExchange('binance@2022-12-17');
    const spot = 'exchanges-dated/binance@2022-12-17/api_v3_exchangeInfo.json';
    expect(marketCount(dated)).toBe(
      binanceSymbols(spot).length +
        binanceSymbols('exchanges/binance/fapi_v1_exchangeInfo.json').length +
        binanceSymbols('exchanges/binance/dapi_v1_exchangeInfo.json').length,
    );
    // ETHBTC's tick size changed between the two recordings; NBTUSDT was delisted.
    expect(marketOf(dated, 'ETH/BTC').precision.price).toBe(binanceTick(spot, 'ETHBTC'));
    expect(binanceTick(spot, 'ETHBTC')).toBe(0.000001);
    const now = await loadedExchange('binance');
    expect(marketOf(now, 'ETH/BTC').precision.price).toBe(0.00001);
    expect(marketOf(dated, 'NBT/USDT').id).toBe('NBTUSDT');
    expect(now.markets?.['NBT/USDT']).toBeUndefined();
  });

  it('mount() switches a prefix to another recording at runtime', async () => {
    await server.mount('usdm-over-time', path.join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'));
    const usdm = replayExchange(server, 'usdm-over-time');
    await usdm.loadMarkets();
    expect(marketCount(usdm)).toBe(binanceSymbols(USDM_DATED).length);
    expect(marketOf(usdm, 'LINA/USDT:USDT')).toMatchObject({ active: true, precision: { price: 0.00001 } });
    expect(marketOf(usdm, 'EOS/USDT:USDT').id).toBe('EOSUSDT');

    await server.mount('usdm-over-time', path.join(EXCHANGES_DIR, 'binanceusdm'));
    await usdm.loadMarkets(true);
    expect(marketCount(usdm)).toBe(binanceSymbols(USDM_NOW).length);
    expect(marketOf(usdm, 'LINA/USDT:USDT')).toMatchObject({ active: false, precision: { price: 0.000001 } });
    expect(usdm.markets?.['EOS/USDT:USDT']).toBeUndefined();
    expect(server.unmount('usdm-over-time')).toBe(true);
  });
});

describe('override()', () => {
  it('answers one URL with a given body, on one prefix, until removed', async () => {
    await server.mount('usdm-override', path.join(EXCHANGES_DIR, 'binanceusdm'));
    const raw = readRawJson<{ symbols: { symbol: string }[] }>(USDM_DATED);
    const two = { ...raw, symbols: raw.symbols.filter((s) => ['BTCUSDT', 'LINAUSDT'].includes(s.symbol)) };
    server.override(FAPI_URL, { body: JSON.stringify(two) }, { prefix: 'usdm-override' });

    const usdm = replayExchange(server, 'usdm-override');
    await usdm.loadMarkets();
    expect(Object.keys(usdm.markets ?? {}).sort()).toEqual(['BTC/USDT:USDT', 'LINA/USDT:USDT']);
    expect(server.requestLog().at(-1)).toMatchObject({ prefix: 'usdm-override', source: 'override' });
    // Other prefixes still get the recording.
    const other = await fetch(`${server.proxyUrlFor('binanceusdm')}${FAPI_URL}`);
    expect(await sameBytes(other, USDM_NOW)).toBe(true);

    server.override(FAPI_URL, null, { prefix: 'usdm-override' });
    await usdm.loadMarkets(true);
    expect(marketCount(usdm)).toBe(binanceSymbols(USDM_NOW).length);
    server.unmount('usdm-override');
  });

  it('can answer with any status and content type on every prefix', async () => {
    server.override(OKX_SPOT_URL, { body: 'down', status: 503, contentType: 'text/plain' });
    for (const base of [server.proxyUrlFor(), server.proxyUrlFor('okx@2022-07-23')]) {
      const res = await fetch(base + encodeURIComponent(OKX_SPOT_URL));
      expect([res.status, res.headers.get('content-type'), await res.text()]).toEqual([503, 'text/plain', 'down']);
    }
    server.override(OKX_SPOT_URL, null);
    expect((await fetch(server.proxyUrlFor() + encodeURIComponent(OKX_SPOT_URL))).status).toBe(200);
  });
});

describe('set metadata', () => {
  it('ccxtOptionsFor returns a fresh copy of the index ccxtOptions', () => {
    const options = server.ccxtOptionsFor('okx');
    expect(options).toEqual({ options: { defaultUnderlying: ['BTC-USD'] } });
    (options['options'] as { defaultUnderlying: string[] }).defaultUnderlying.push('ETH-USD');
    expect(server.ccxtOptionsFor('okx')).toEqual({ options: { defaultUnderlying: ['BTC-USD'] } });
    expect(server.ccxtOptionsFor('binance')).toEqual({});
    expect(() => server.ccxtOptionsFor('nope')).toThrow(/nothing mounted/);
  });

  it('lists every undated and dated set as a prefix', () => {
    expect(server.prefixes()).toEqual(expect.arrayContaining(['binance', 'dydx', 'kraken@2025-09-11', 'okx@2022-07-23']));
  });
});
