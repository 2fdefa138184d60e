import type { Exchange } from 'ccxt';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { convertMarket, type ConvertContext } from '../../domain/convert-market.js';
import { errorMessage } from '../../domain/describe-error.js';
import type { UnifiedMarket } from '../../domain/unified-market.js';
import { takeParseFailures } from './tolerant-markets.js';

export interface RejectedMarket {
  symbol: string;
  reason: string;
  /** The market is malformed (conversion threw), as opposed to of a kind the contract has no type for. */
  failed?: boolean;
}

export interface LoadedDefinitions {
  definitions: InstrumentDefinition[];
  rejected: RejectedMarket[];
  receivedAt: Date;
}

export interface ConvertedMarkets {
  definitions: InstrumentDefinition[];
  rejected: RejectedMarket[];
}

function symbolOf(market: unknown): string {
  const symbol = typeof market === 'object' && market !== null ? (market as { symbol?: unknown }).symbol : undefined;
  return typeof symbol === 'string' ? symbol : '';
}

/**
 * Converts every unified market. One market that cannot be converted is rejected with its
 * reason; it must not cost the exchange its other markets.
 */
export function convertMarkets(markets: Iterable<unknown>, ctx: ConvertContext): ConvertedMarkets {
  const definitions: InstrumentDefinition[] = [];
  const rejected: RejectedMarket[] = [];
  for (const market of markets) {
    if (market === undefined) continue;
    try {
      if (typeof market !== 'object' || market === null || Array.isArray(market)) throw new Error('not a market object');
      const result = convertMarket(market as UnifiedMarket, ctx);
      if (result.ok) definitions.push(result.definition);
      else rejected.push({ symbol: result.symbol, reason: result.reason });
    } catch (error) {
      rejected.push({ symbol: symbolOf(market), reason: `conversion failed: ${errorMessage(error)}`, failed: true });
    }
  }
  return { definitions, rejected };
}

/** What conversion needs from the CCXT class (no request made): the one place it is read. */
export function convertContextOf(exchange: Exchange, receivedAt: Date): ConvertContext {
  const precisionMode = exchange.precisionMode;
  if (precisionMode === undefined) throw new Error(`CCXT class ${exchange.id} has no precisionMode`);
  return { ccxtExchange: exchange.id, precisionMode, receivedAt, has: exchange.has };
}

/** loadMarkets (the instance's cached markets if it has loaded them) and conversion of every unified market. */
export async function loadDefinitions(exchange: Exchange): Promise<LoadedDefinitions> {
  convertContextOf(exchange, new Date()); // fails before any request on a class without a precision mode
  takeParseFailures(exchange); // a load that failed part way leaves none for this one
  const markets = await exchange.loadMarkets();
  const receivedAt = new Date();
  const converted = convertMarkets(Object.values(markets), convertContextOf(exchange, receivedAt));
  return { definitions: converted.definitions, rejected: [...takeParseFailures(exchange), ...converted.rejected], receivedAt };
}
