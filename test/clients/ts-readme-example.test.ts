// The README's TypeScript usage example, run against the real server process. The lines between
// the markers are what the README shows; the assertions after them check what it promises.
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { InstrumentMirror } from '../../clients/ts/index.js';
import { canonical } from '../support/exact-decimal.js';
import { readRawJson } from '../support/fixtures.js';
import { startE2eServer, type E2eServer } from './ts-e2e-server.js';

type RawSymbol = { symbol: string; filters: Array<Record<string, string>> };
const rawBtc = readRawJson<{ symbols: RawSymbol[] }>('exchanges/binanceusdm/fapi_v1_exchangeInfo.json').symbols.find((s) => s.symbol === 'BTCUSDT');

let server: E2eServer;
beforeAll(async () => {
  server = await startE2eServer();
});
afterAll(async () => {
  if (server !== undefined) expect(await server.stop()).toBe(0);
});

it('README example: mirror the USD-M instruments and look one up in-process', async () => {
  const address = server.address;
  // README-EXAMPLE-START
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  const mirror = new InstrumentMirror(client, {
    filter: { ccxtExchanges: ['binanceusdm'] },
    onChange: (batch, revision) => console.log(`revision ${revision}: ${batch.changes.length} changes`),
    onError: (error, source) => console.warn(`instrument mirror (${source}): ${error.message}`),
  }).start();
  await mirror.waitSynced();

  const btc = mirror.byCcxt('binanceusdm', 'BTC/USDT:USDT'); // a Map lookup, no RPC
  const tick = btc?.tickSize; // "0.1": decimals are exact strings
  const age = mirror.stalenessMs; // ms since the server last spoke (progress: every 10 s by default)

  mirror.close(); // on shutdown
  client.close();
  // README-EXAMPLE-END
  const priceFilter = rawBtc?.filters.find((f) => f['filterType'] === 'PRICE_FILTER');
  expect(tick).toBe(canonical(priceFilter?.['tickSize'] ?? 'NaN'));
  expect(btc?.exchangeRawSymbol).toBe('BTCUSDT');
  expect(Number.isFinite(age)).toBe(true);
  expect(mirror.size).toBe((await server.rpc.listInstruments({ filter: { ccxtExchanges: ['binanceusdm'] }, pageSize: 1000 })).instruments.length);
  expect(mirror.all().every((d) => d.ccxtExchange === 'binanceusdm')).toBe(true);
});
