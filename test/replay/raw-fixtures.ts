// Counts and values read straight from the recorded bodies, independent of ccxt's parsing,
// so the replay tests compare ccxt's output against the raw exchange data.
import { readRawJson } from '../support/fixtures.js';

interface BinanceExchangeInfo {
  symbols: { symbol: string; filters: { filterType: string; tickSize?: string }[] }[];
}

export function binanceSymbols(relPath: string): string[] {
  return readRawJson<BinanceExchangeInfo>(relPath).symbols.map((s) => s.symbol);
}

export function binanceTick(relPath: string, symbolId: string): number {
  const symbol = readRawJson<BinanceExchangeInfo>(relPath).symbols.find((s) => s.symbol === symbolId);
  const tick = symbol?.filters.find((f) => f.filterType === 'PRICE_FILTER')?.tickSize;
  if (tick === undefined) throw new Error(`${relPath}: no PRICE_FILTER tickSize for ${symbolId}`);
  return Number(tick);
}

interface DeribitInstruments {
  result: { instrument_name: string; tick_size: number }[];
}

interface OkxInstruments {
  data: { instId: string; tickSz: string }[];
}

interface MexcContracts {
  data: { symbol: string; priceUnit: number }[];
}

interface DydxMarkets {
  markets: Record<string, { ticker: string; tickSize: string }>;
}

function find<T>(items: T[], predicate: (item: T) => boolean, what: string): T {
  const item = items.find(predicate);
  if (item === undefined) throw new Error(`raw fixture has no ${what}`);
  return item;
}

export const OKX_FILES = ['SPOT', 'FUTURES', 'SWAP', 'OPTION'].map(
  (type) => `exchanges/okx/instruments_${type}.json`,
);

export interface ExchangeSpec {
  /** ccxt id and mount prefix (the undated folder name). */
  readonly id: string;
  /** Markets ccxt should produce: here ccxt keeps every raw instrument, so it is a plain count. */
  readonly rawCount: () => number;
  /** A unified symbol, its raw exchange id and its raw tick size. */
  readonly symbol: string;
  readonly rawId: string;
  readonly rawTick: () => number;
}

export const EXCHANGE_SPECS: readonly ExchangeSpec[] = [
  {
    id: 'binance',
    rawCount: () =>
      binanceSymbols('exchanges/binance/api_v3_exchangeInfo.json').length +
      binanceSymbols('exchanges/binance/fapi_v1_exchangeInfo.json').length +
      binanceSymbols('exchanges/binance/dapi_v1_exchangeInfo.json').length,
    symbol: 'ETH/BTC',
    rawId: 'ETHBTC',
    rawTick: () => binanceTick('exchanges/binance/api_v3_exchangeInfo.json', 'ETHBTC'),
  },
  {
    id: 'binanceusdm',
    rawCount: () => binanceSymbols('exchanges/binanceusdm/fapi_v1_exchangeInfo.json').length,
    symbol: 'BTC/USDT:USDT',
    rawId: 'BTCUSDT',
    rawTick: () => binanceTick('exchanges/binanceusdm/fapi_v1_exchangeInfo.json', 'BTCUSDT'),
  },
  {
    id: 'binancecoinm',
    rawCount: () => binanceSymbols('exchanges/binancecoinm/dapi_v1_exchangeInfo.json').length,
    symbol: 'BTC/USD:BTC',
    rawId: 'BTCUSD_PERP',
    rawTick: () => binanceTick('exchanges/binancecoinm/dapi_v1_exchangeInfo.json', 'BTCUSD_PERP'),
  },
  {
    // ccxt dedupes by unified symbol; every instrument (combos included) has its own here.
    id: 'deribit',
    rawCount: () => readRawJson<DeribitInstruments>('exchanges/deribit/get_instruments.json').result.length,
    symbol: 'BTC/USD:BTC',
    rawId: 'BTC-PERPETUAL',
    rawTick: () =>
      find(
        readRawJson<DeribitInstruments>('exchanges/deribit/get_instruments.json').result,
        (i) => i.instrument_name === 'BTC-PERPETUAL',
        'BTC-PERPETUAL',
      ).tick_size,
  },
  {
    id: 'okx',
    rawCount: () => OKX_FILES.reduce((n, file) => n + readRawJson<OkxInstruments>(file).data.length, 0),
    symbol: 'BTC/USD:BTC',
    rawId: 'BTC-USD-SWAP',
    rawTick: () =>
      Number(
        find(
          readRawJson<OkxInstruments>('exchanges/okx/instruments_SWAP.json').data,
          (i) => i.instId === 'BTC-USD-SWAP',
          'BTC-USD-SWAP',
        ).tickSz,
      ),
  },
  {
    id: 'mexc',
    rawCount: () =>
      binanceSymbols('exchanges/mexc/api_v3_exchangeInfo.json').length +
      readRawJson<MexcContracts>('exchanges/mexc/api_v1_contract_detail.json').data.length,
    symbol: 'BTC/USDT:USDT',
    rawId: 'BTC_USDT',
    rawTick: () =>
      find(
        readRawJson<MexcContracts>('exchanges/mexc/api_v1_contract_detail.json').data,
        (c) => c.symbol === 'BTC_USDT',
        'BTC_USDT',
      ).priceUnit,
  },
  {
    id: 'dydx',
    rawCount: () => Object.keys(readRawJson<DydxMarkets>('exchanges/dydx/v4_perpetualMarkets.json').markets).length,
    symbol: 'BTC/USDC:USDC',
    rawId: 'BTC-USD',
    rawTick: () => {
      const market = readRawJson<DydxMarkets>('exchanges/dydx/v4_perpetualMarkets.json').markets['BTC-USD'];
      if (market === undefined) throw new Error('raw fixture has no BTC-USD');
      return Number(market.tickSize);
    },
  },
];
