import type { Exchange } from 'ccxt';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { convertMarket } from '../../domain/convert-market.js';
import type { UnifiedMarket } from '../../domain/unified-market.js';

export interface RejectedMarket {
  symbol: string;
  reason: string;
}

export interface LoadedDefinitions {
  definitions: InstrumentDefinition[];
  rejected: RejectedMarket[];
  receivedAt: Date;
}

/** loadMarkets (the instance's cached markets if it has loaded them) and conversion of every unified market. */
export async function loadDefinitions(exchange: Exchange): Promise<LoadedDefinitions> {
  const precisionMode = exchange.precisionMode;
  if (precisionMode === undefined) throw new Error(`CCXT class ${exchange.id} has no precisionMode`);
  const markets = await exchange.loadMarkets();
  const receivedAt = new Date();
  const definitions: InstrumentDefinition[] = [];
  const rejected: RejectedMarket[] = [];
  for (const market of Object.values(markets)) {
    if (market === undefined) continue;
    const result = convertMarket(market as unknown as UnifiedMarket, {
      ccxtExchange: exchange.id,
      precisionMode,
      receivedAt,
    });
    if (result.ok) definitions.push(result.definition);
    else rejected.push({ symbol: result.symbol, reason: result.reason });
  }
  return { definitions, rejected, receivedAt };
}
