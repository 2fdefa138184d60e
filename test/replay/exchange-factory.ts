import ccxt, { type Exchange, type MarketInterface } from 'ccxt';

import type { ReplayServer } from '../../src/adapters/replay/index.js';

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

/** A real ccxt exchange whose HTTP goes to the replay server under `prefix` (never mocked). */
export function replayExchange(
  server: ReplayServer,
  prefix: string,
  extra: Record<string, unknown> = {},
): Exchange {
  const id = server.exchangeFor(prefix);
  const ExchangeClass = (ccxt as unknown as Record<string, ExchangeClass | undefined>)[id];
  if (ExchangeClass === undefined) throw new Error(`ccxt has no exchange class ${id}`);
  return new ExchangeClass({
    proxyUrl: server.proxyUrlFor(prefix),
    ...server.ccxtOptionsFor(prefix),
    ...extra,
  });
}

/** Unified market by symbol, failing loudly instead of returning undefined. */
export function marketOf(exchange: Exchange, symbol: string): MarketInterface {
  const markets = (exchange.markets ?? {}) as Record<string, MarketInterface | undefined>;
  const market = markets[symbol];
  if (market === undefined) throw new Error(`${exchange.id}: no market ${symbol}`);
  return market;
}

export function marketCount(exchange: Exchange): number {
  return Object.keys(exchange.markets ?? {}).length;
}
