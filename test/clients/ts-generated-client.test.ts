// The generated TypeScript client (gen/ts, grpc-js) against the real server process
// (test/support/e2e-server.mjs, the one the Python and Go suites drive): every RPC, values checked
// against the raw exchange recordings, errors as grpc-js ServiceErrors.
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeType, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { expectedChanges, PAIRS, projections } from '../e2e/support/expected-changes.js';
import { canonical } from '../support/exact-decimal.js';
import { readRawJson } from '../support/fixtures.js';
import { watch } from '../support/store-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';
import { listAll, startE2eServer, type E2eServer } from './ts-e2e-server.js';

const BTC = 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT';
const MISSING = 'BINANCE-FUTURES:PERPETUAL:NOPE/USDT:USDT';

// The server starts on the newer binanceusdm recording: expected values come from its raw body.
type RawSymbol = { symbol: string; filters: Array<Record<string, string>> };
const rawBtc = readRawJson<{ symbols: RawSymbol[] }>('exchanges/binanceusdm/fapi_v1_exchangeInfo.json').symbols.find((s) => s.symbol === 'BTCUSDT');
const rawFilter = (type: string): Record<string, string> => rawBtc?.filters.find((f) => f['filterType'] === type) ?? {};
const raw = (type: string, field: string): string => canonical(rawFilter(type)[field] ?? 'NaN');

let server: E2eServer;
beforeAll(async () => {
  server = await startE2eServer();
});
afterAll(async () => {
  if (server !== undefined) expect(await server.stop()).toBe(0);
});

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  return promise.then(() => { throw new Error('expected the call to fail'); }, (e: ServiceError) => e);
}

describe('generated TypeScript client against the e2e server', () => {
  it('GetInstrument by key, by CCXT symbol and by raw symbol: the same definition, decimals exactly as recorded', async () => {
    const byKey = await server.rpc.getInstrument({ instrumentKey: BTC });
    const byCcxt = await server.rpc.getInstrument({ ccxt: { ccxtExchange: 'binanceusdm', ccxtSymbol: 'BTC/USDT:USDT' } });
    const byRaw = await server.rpc.getInstrument({ raw: { venue: 'BINANCE-FUTURES', exchangeRawSymbol: 'BTCUSDT' } });
    expect(byKey.instrument).toMatchObject({
      instrumentKey: BTC, exchangeRawSymbol: 'BTCUSDT', ccxtExchange: 'binanceusdm', ccxtSymbol: 'BTC/USDT:USDT',
      // "0.10" → "0.1", "556.80" → "556.8": plain canonical decimals of the raw strings.
      tickSize: raw('PRICE_FILTER', 'tickSize'), minPrice: raw('PRICE_FILTER', 'minPrice'), maxPrice: raw('PRICE_FILTER', 'maxPrice'),
      lotSize: raw('LOT_SIZE', 'stepSize'), minSize: raw('LOT_SIZE', 'minQty'), maxSize: raw('LOT_SIZE', 'maxQty'),
      minNotional: raw('MIN_NOTIONAL', 'notional'),
    });
    expect(byKey.instrument?.tickSize).toBe('0.1');
    expect(byCcxt.instrument).toEqual(byKey.instrument);
    expect(byRaw.instrument).toEqual(byKey.instrument);
    expect(byKey.revision).toBeGreaterThan(0);
  });

  it('BatchGetInstruments returns the found keys in request order and names the missing ones', async () => {
    const keys = ['BINANCE-FUTURES:PERPETUAL:ETH/USDT:USDT', MISSING, BTC];
    const res = await server.rpc.batchGetInstruments({ instrumentKeys: keys });
    expect(res.instruments.map((d) => d.instrumentKey)).toEqual([keys[0], BTC]);
    expect(res.notFoundKeys).toEqual([MISSING]);
    expect(res.instruments[1]?.tickSize).toBe(raw('PRICE_FILTER', 'tickSize'));
  });

  it('ListInstruments pages through everything once: total = GetStatus counts, sorted, no duplicates', async () => {
    const list = await listAll(server.rpc, {}, 37);
    const status = await server.rpc.getStatus();
    const keys = list.instruments.map((d) => d.instrumentKey);
    expect(list.pages).toBe(Math.ceil(keys.length / 37));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys).toEqual([...keys].sort());
    expect(keys.length).toBe(status.exchanges.reduce((n, e) => n + e.instrumentCount, 0));
    expect(status.revision).toBe(list.revision);
    // binanceusdm serves one instrument per raw symbol of its recording.
    const usdm = status.exchanges.find((e) => e.ccxtExchange === 'binanceusdm');
    expect(usdm?.instrumentCount).toBe(projections('binanceusdm', 'newer').size);
  });

  it('WatchChanges delivers the real change of switching binanceusdm to its older recording', async () => {
    // Newer → older reverses the expected older → newer changes: what the newer recording added is
    // removed, what it removed comes back.
    const expected = expectedChanges('binanceusdm', PAIRS.binanceusdm.newerRecordedAt);
    const newer = projections('binanceusdm', 'newer');
    const older = projections('binanceusdm', 'older');
    const removedKeys = expected.added.map((s) => newer.get(s)?.key).sort();
    const readded = expected.removed.find((r) => r.reason === 'DELISTED')?.rawSymbol ?? '';
    const readdedKey = older.get(readded)?.key;
    expect(readdedKey).toBe('BINANCE-FUTURES:PERPETUAL:EOS/USDT:USDT');

    const w = watch(server.client, { filter: { ccxtExchanges: ['binanceusdm'] } });
    const [first] = await w.next(1);
    expect(first?.progress).toBeDefined();
    const used = await server.command('use older');
    expect(used).toMatchObject({ event: 'used', recording: 'older' });
    const batches: WatchChangesResponse[] = [];
    for (let at = first?.revision ?? 0; at < (used.revision ?? 0);) {
      const [m] = await w.next(1);
      if (m?.changes !== undefined) batches.push(m);
      at = m?.revision ?? at;
    }
    w.stream.cancel();
    const changes = batches.flatMap((b) => b.changes?.changes ?? []);
    const keysOf = (type: ChangeType): string[] => changes.filter((c) => c.changeType === type).map((c) => c.instrumentKey).sort();
    expect(keysOf(ChangeType.CHANGE_TYPE_REMOVED)).toEqual(removedKeys);
    expect(keysOf(ChangeType.CHANGE_TYPE_ADDED)).toContain(readdedKey);
    expect(changes.find((c) => c.instrumentKey === readdedKey)?.instrument?.exchangeRawSymbol).toBe('EOSUSDT');
    expect(batches.every((b) => b.revision > (first?.revision ?? 0))).toBe(true);
    await server.command('use newer');
    // Four waits: the first message, the two switches, and the switch's batches (sent by the time
    // the switch is answered, so reading them is short).
  }, 4 * PATIENCE_MS);

  it('GetStatus reports both exchanges ready', async () => {
    const res = await server.rpc.getStatus();
    expect(res.exchanges.map((e) => [e.ccxtExchange, e.lastError])).toEqual([['binanceusdm', ''], ['dydx', '']]);
  });

  it('NOT_FOUND and INVALID_ARGUMENT arrive as grpc-js ServiceErrors carrying the server message', async () => {
    const missing = await rejection(server.rpc.getInstrument({ instrumentKey: MISSING }));
    expect(missing.code).toBe(status.NOT_FOUND);
    expect(missing.details).toMatch(/^instrument "BINANCE-FUTURES:PERPETUAL:NOPE\/USDT:USDT" not found/);
    const badPage = await rejection(server.rpc.listInstruments({ pageSize: 5000 }));
    expect(badPage.code).toBe(status.INVALID_ARGUMENT);
    expect(badPage.details).toBe('page_size 5000 is out of range: give 1 to 1000, or 0 for the default of 100');
  });
});
