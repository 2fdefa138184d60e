import type { Exchange } from 'ccxt';
import { errorMessage } from '../../domain/describe-error.js';
import type { RejectedMarket } from './load-definitions.js';

// CCXT parses an exchange's market list in one loop (parseMarket per raw entry, then setMarkets),
// so one raw entry its parser chokes on (a `null` among Binance's filters) fails loadMarkets and
// with it every market of the exchange. The instance's own parseMarket still does all the
// parsing; a throw for one entry only drops that entry, which is kept here as rejected.
const failures = new WeakMap<Exchange, RejectedMarket[]>();

function rawIdOf(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return '';
  for (const field of ['symbol', 'instrument_name', 'instId', 'id', 'name', 'ticker']) {
    const v = (raw as Record<string, unknown>)[field];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  return '';
}

export function tolerateMalformedMarkets(exchange: Exchange): Exchange {
  const parseMarket = exchange.parseMarket.bind(exchange);
  const setMarkets = exchange.setMarkets.bind(exchange);
  exchange.parseMarket = (raw) => {
    try {
      return parseMarket(raw);
    } catch (error) {
      const list = failures.get(exchange) ?? [];
      list.push({ symbol: rawIdOf(raw), reason: `conversion failed: CCXT could not parse the market: ${errorMessage(error)}`, failed: true });
      failures.set(exchange, list);
      return undefined as unknown as ReturnType<Exchange['parseMarket']>;
    }
  };
  // The dropped entries' holes, before CCXT indexes the list.
  exchange.setMarkets = (markets, currencies) => setMarkets(Array.isArray(markets) ? markets.filter((m) => m !== undefined && m !== null) : markets, currencies);
  return exchange;
}

/** The raw markets CCXT could not parse since the last call (each load takes its own). */
export function takeParseFailures(exchange: Exchange): RejectedMarket[] {
  const list = failures.get(exchange) ?? [];
  failures.delete(exchange);
  return list;
}
