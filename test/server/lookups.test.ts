import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType, OptionType, PrecisionMode } from '../../gen/ts/instruments/v1/instrument.js';
import { readRawJson } from '../support/fixtures.js';
import { canonical } from '../support/exact-decimal.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';

interface BinanceSymbol { symbol: string; filters: Array<Record<string, string>> }
interface DeribitInstrument {
  instrument_name: string; kind: string; base_currency: string; counter_currency: string; settlement_currency: string;
  strike?: number; option_type?: string; expiration_timestamp: number; tick_size: number; is_active: boolean;
  tick_size_steps: Array<{ above_price: number; tick_size: number }>; min_trade_amount: number; contract_size: number;
}

const binanceSpot = readRawJson<{ symbols: BinanceSymbol[] }>('exchanges/binance/api_v3_exchangeInfo.json').symbols;
const deribit = readRawJson<{ result: DeribitInstrument[] }>('exchanges/deribit/get_instruments.json').result;
const filter = (s: BinanceSymbol, type: string): Record<string, string> => {
  const f = s.filters.find((x) => x['filterType'] === type);
  if (f === undefined) throw new Error(`${s.symbol} has no ${type}`);
  return f;
};

let h: Harness;
const get: Harness['rpc']['getInstrument'] = (req) => h.rpc.getInstrument(req);
const expectStatus = async (p: Promise<unknown>, code: status, message: RegExp): Promise<void> => {
  const error = await p.then(() => undefined, (e: ServiceError) => e);
  expect(error, 'expected the call to fail').toBeDefined();
  expect(error?.code).toBe(code);
  expect(error?.details).toMatch(message);
};

beforeAll(async () => {
  h = await startHarness({ binance: 'fixture', binanceusdm: 'fixture', deribit: 'fixture' });
  await waitForExchanges(h, ['binance', 'binanceusdm', 'deribit']);
});
afterAll(() => h.close());

describe('GetInstrument', () => {
  const btcusdt = binanceSpot.find((s) => s.symbol === 'BTCUSDT') as BinanceSymbol;

  it('finds a Binance spot pair by key with the raw tick and lot size', async () => {
    const { instrument, revision } = await get({ instrumentKey: 'BINANCE-SPOT:SPOT:BTC/USDT' });
    expect(revision).toBeGreaterThan(0);
    expect(instrument?.exchangeRawSymbol).toBe('BTCUSDT');
    expect(instrument?.instrumentType).toBe(InstrumentType.INSTRUMENT_TYPE_SPOT);
    expect(instrument?.tickSize).toBe(canonical(String(filter(btcusdt, 'PRICE_FILTER')['tickSize'] as string)));
    expect(instrument?.lotSize).toBe(canonical(String(filter(btcusdt, 'LOT_SIZE')['stepSize'] as string)));
    expect(instrument?.minSize).toBe(canonical(String(filter(btcusdt, 'LOT_SIZE')['minQty'] as string)));
    expect(instrument?.tardisExchange).toBe('binance');
  });

  it('finds the same instrument by CCXT symbol, by raw symbol and by Tardis symbol', async () => {
    const keys = await Promise.all([
      get({ ccxt: { ccxtExchange: 'binance', ccxtSymbol: 'BTC/USDT' } }),
      get({ raw: { venue: 'BINANCE-SPOT', exchangeRawSymbol: 'BTCUSDT' } }),
      get({ tardis: { tardisExchange: 'binance', tardisSymbol: 'BTCUSDT' } }),
    ]);
    expect(keys.map((r) => r.instrument?.instrumentKey)).toEqual(Array(3).fill('BINANCE-SPOT:SPOT:BTC/USDT'));
  });

  it('finds a Deribit option with strike, expiry, type and price-dependent ticks from the raw response', async () => {
    const raw = deribit.find((i) => i.kind === 'option' && i.is_active && i.base_currency === 'BTC' && i.tick_size_steps.length > 0) as DeribitInstrument;
    const { instrument } = await get({ raw: { venue: 'DERIBIT', exchangeRawSymbol: raw.instrument_name } });
    const d = new Date(raw.expiration_timestamp);
    const yymmdd = `${String(d.getUTCFullYear()).slice(2)}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
    const cp = raw.option_type === 'call' ? 'C' : 'P';
    expect(instrument?.instrumentKey).toBe(`DERIBIT:OPTION:${raw.base_currency}/${raw.counter_currency}:${raw.settlement_currency}-${yymmdd}-${raw.strike}-${cp}`);
    expect(instrument?.strike).toBe(canonical(String(raw.strike as number)));
    expect(instrument?.expiry?.getTime()).toBe(raw.expiration_timestamp);
    expect(instrument?.optionType).toBe(raw.option_type === 'call' ? OptionType.OPTION_TYPE_CALL : OptionType.OPTION_TYPE_PUT);
    expect(instrument?.tickSize).toBe(canonical(String(raw.tick_size)));
    expect(instrument?.pricePrecisionMode).toBe(PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS);
    expect(instrument?.tickSizeSteps).toEqual(raw.tick_size_steps.map((s) => ({ abovePrice: canonical(String(s.above_price)), tickSize: canonical(String(s.tick_size)) })));
    expect(instrument?.contractSize).toBe(canonical(String(raw.contract_size)));
    // The key found by raw symbol finds the same instrument.
    expect((await get({ instrumentKey: instrument?.instrumentKey ?? '' })).instrument?.exchangeRawSymbol).toBe(raw.instrument_name);
  });

  it('serves USD-M from binanceusdm when binance loads the same contracts too', async () => {
    const { instrument } = await get({ instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT' });
    expect(instrument?.ccxtExchange).toBe('binanceusdm');
    // Both sources stay reachable by their own CCXT id.
    const viaBinance = await get({ ccxt: { ccxtExchange: 'binance', ccxtSymbol: 'BTC/USDT:USDT' } });
    expect(viaBinance.instrument?.instrumentKey).toBe('BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT');
  });

  it('NOT_FOUND names the key and close matches', async () => {
    await expectStatus(get({ instrumentKey: 'BINANCE-SPOT:SPOT:BTCUSDT' }), status.NOT_FOUND,
      /instrument "BINANCE-SPOT:SPOT:BTCUSDT" not found; close matches: .*BINANCE-SPOT:SPOT:BTC\/USDT/);
  });

  it('NOT_FOUND for a venue this server does not serve, naming the served ones', async () => {
    await expectStatus(get({ instrumentKey: 'KRAKEN:SPOT:BTC/USD' }), status.NOT_FOUND, /venue "KRAKEN" is not served here \(served venues: .*BINANCE-SPOT.*DERIBIT/);
  });

  it('INVALID_ARGUMENT for malformed keys and empty lookups', async () => {
    await expectStatus(get({ instrumentKey: 'BTCUSDT' }), status.INVALID_ARGUMENT, /expected VENUE:TYPE:SYMBOL/);
    await expectStatus(get({ instrumentKey: 'BINANCE-SPOT:SWAP:BTC/USDT' }), status.INVALID_ARGUMENT, /accepted types are SPOT, PERPETUAL/);
    await expectStatus(get({}), status.INVALID_ARGUMENT, /name the instrument with one of instrument_key/);
    await expectStatus(get({ ccxt: { ccxtExchange: 'binance', ccxtSymbol: '' } }), status.INVALID_ARGUMENT, /ccxt lookup needs ccxt_symbol/);
  });
});

describe('BatchGetInstruments', () => {
  const batch = (keys: string[]) => h.rpc.batchGetInstruments({ instrumentKeys: keys });

  it('returns found instruments in request order and names the missing keys', async () => {
    const res = await batch(['DERIBIT:PERPETUAL:BTC/USD:BTC', 'BINANCE-SPOT:SPOT:NOPE/USDT', 'BINANCE-SPOT:SPOT:ETH/USDT']);
    expect(res.instruments.map((i) => i.exchangeRawSymbol)).toEqual(['BTC-PERPETUAL', 'ETHUSDT']);
    expect(res.notFoundKeys).toEqual(['BINANCE-SPOT:SPOT:NOPE/USDT']);
    expect(res.revision).toBeGreaterThan(0);
  });

  it('bounds the batch size and rejects malformed keys', async () => {
    await expectStatus(batch([]), status.INVALID_ARGUMENT, /instrument_keys is empty/);
    await expectStatus(batch(Array(1001).fill('DERIBIT:PERPETUAL:BTC/USD:BTC')), status.INVALID_ARGUMENT, /at most 1000/);
    await expectStatus(batch(['DERIBIT:PERPETUAL:BTC/USD:BTC', 'oops']), status.INVALID_ARGUMENT, /"oops" is malformed/);
  });
});

describe('ListInstruments', () => {
  const list: Harness['rpc']['listInstruments'] = (req) => h.rpc.listInstruments(req);
  const emptyFilter = {};

  it('pages through every Deribit BTC option exactly once', async () => {
    const expected = deribit.filter((i) => i.kind === 'option' && i.base_currency === 'BTC').map((i) => i.instrument_name).sort();
    const filter = { ...emptyFilter, venues: ['DERIBIT'], instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_OPTION], baseAssets: ['btc'] };
    const seen: string[] = [];
    let pageToken = '';
    let pages = 0;
    do {
      const page = await list({ filter, pageSize: 500, pageToken });
      expect(page.instruments.length).toBeLessThanOrEqual(500);
      seen.push(...page.instruments.map((i) => i.exchangeRawSymbol));
      pageToken = page.nextPageToken;
      pages++;
    } while (pageToken !== '');
    expect(seen.sort()).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 500));
  });

  it('filters by active and returns the default page size', async () => {
    // Inactive: what the exchange says, and every dated contract past its expiry by the clock.
    const now = Date.now();
    const rawInactive = deribit.filter((i) => !i.is_active || (i.kind !== 'spot' && i.expiration_timestamp <= now)).length;
    const page = await list({ filter: { ...emptyFilter, venues: ['DERIBIT'], active: false }, pageSize: 1000, pageToken: '' });
    expect(page.instruments).toHaveLength(Math.min(rawInactive, 1000));
    expect(page.instruments.every((i) => !i.active)).toBe(true);
    expect((await list({ pageSize: 0, pageToken: '' })).instruments).toHaveLength(100);
  });

  it('INVALID_ARGUMENT for bad page sizes, forged tokens, reused tokens and unknown filters', async () => {
    await expectStatus(list({ pageSize: -1, pageToken: '' }), status.INVALID_ARGUMENT, /page_size -1 is out of range: give 1 to 1000/);
    await expectStatus(list({ pageSize: 1001, pageToken: '' }), status.INVALID_ARGUMENT, /page_size 1001/);
    await expectStatus(list({ pageSize: 10, pageToken: 'forged' }), status.INVALID_ARGUMENT, /page_token is not one this service issued/);
    const first = await list({ filter: { ...emptyFilter, venues: ['DERIBIT'] }, pageSize: 10, pageToken: '' });
    await expectStatus(list({ filter: { ...emptyFilter, venues: ['BINANCE-SPOT'] }, pageSize: 10, pageToken: first.nextPageToken }),
      status.INVALID_ARGUMENT, /different filter/);
    await expectStatus(list({ filter: { ...emptyFilter, venues: ['NOPE'] }, pageSize: 10, pageToken: '' }),
      status.INVALID_ARGUMENT, /filter.venues has "NOPE", not served here; accepted: .*DERIBIT/);
    await expectStatus(list({ filter: { ...emptyFilter, instrumentTypes: [99 as InstrumentType] }, pageSize: 10, pageToken: '' }),
      status.INVALID_ARGUMENT, /filter.instrument_types has 99; accepted: INSTRUMENT_TYPE_SPOT/);
  });
});
