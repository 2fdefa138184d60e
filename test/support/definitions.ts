import { InstrumentDefinition, InstrumentStatus, InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';

/** A small, valid perpetual definition for store and stream tests; override what the test varies. */
export function perpetual(symbol: string, overrides: Partial<InstrumentDefinition> = {}): InstrumentDefinition {
  return {
    ...InstrumentDefinition.fromPartial({}),
    instrumentKey: `TEST-VENUE:PERPETUAL:${symbol}/USDT:USDT`,
    venue: 'TEST-VENUE',
    instrumentType: InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
    baseAsset: symbol,
    quoteAsset: 'USDT',
    settleAsset: 'USDT',
    exchangeRawSymbol: `${symbol}USDT`,
    ccxtExchange: 'testex',
    ccxtSymbol: `${symbol}/USDT:USDT`,
    tickSize: '0.1',
    lotSize: '0.001',
    active: true,
    status: InstrumentStatus.INSTRUMENT_STATUS_TRADING,
    linear: true,
    inverse: false,
    isLive: true,
    ...overrides,
  };
}
