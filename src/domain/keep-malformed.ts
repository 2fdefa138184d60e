import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';

/** A market the load could not convert, by the symbol or raw id it was reported under. */
export interface FailedMarket {
  symbol: string;
  failed?: boolean;
}

/**
 * The previous definitions of known markets that this load could not convert (malformed in this
 * response): kept as they were, so one bad entry never makes a known instrument vanish. Matched
 * by CCXT symbol, or by the exchange's raw id when CCXT itself could not parse the entry.
 */
export function keptForMalformed(previous: ReadonlyMap<string, InstrumentDefinition>, rejected: readonly FailedMarket[]): InstrumentDefinition[] {
  const failed = new Set(rejected.filter((r) => r.failed === true && r.symbol !== '').map((r) => r.symbol));
  if (failed.size === 0) return [];
  return [...previous.values()].filter((d) => failed.has(d.ccxtSymbol) || failed.has(d.exchangeRawSymbol));
}
