import { binance } from './binance.js';
import { deribit } from './deribit.js';
import { dydx } from './dydx.js';
import { okx } from './okx.js';
import type { VenueRule } from './types.js';

export type { VenueRule } from './types.js';

// One rule per CCXT id whose raw API differs from what CCXT's unified market implies.
const RULES: Record<string, VenueRule> = {
  binance,
  binanceusdm: binance,
  deribit,
  dydx,
  okx,
};

export function venueRuleOf(ccxtExchange: string): VenueRule {
  return RULES[ccxtExchange] ?? {};
}
