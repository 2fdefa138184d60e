import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';

/** A CCXT class's `has` table: true, 'emulated', false or undefined per method. */
export type ExchangeHas = Readonly<Record<string, boolean | string | null | undefined>>;

const T = InstrumentType;
const ALL = [T.INSTRUMENT_TYPE_SPOT, T.INSTRUMENT_TYPE_PERPETUAL, T.INSTRUMENT_TYPE_FUTURE, T.INSTRUMENT_TYPE_OPTION, T.INSTRUMENT_TYPE_COMBO];
// Open interest and liquidations exist for single derivatives, not for spot or listed combos.
const DERIVATIVES = [T.INSTRUMENT_TYPE_PERPETUAL, T.INSTRUMENT_TYPE_FUTURE, T.INSTRUMENT_TYPE_OPTION];

/** Each data type, the CCXT methods that give it, and the instrument types it applies to; sorted by name. */
const DATA_TYPES: ReadonlyArray<{ name: string; methods: string[]; types: InstrumentType[] }> = [
  { name: 'book', methods: ['fetchOrderBook', 'watchOrderBook'], types: ALL },
  // Funding is paid on perpetuals only.
  { name: 'funding_rate', methods: ['fetchFundingRate', 'fetchFundingRates'], types: [T.INSTRUMENT_TYPE_PERPETUAL] },
  { name: 'liquidations', methods: ['fetchLiquidations', 'watchLiquidations'], types: DERIVATIVES },
  { name: 'ohlcv', methods: ['fetchOHLCV', 'watchOHLCV'], types: ALL },
  { name: 'open_interest', methods: ['fetchOpenInterest', 'fetchOpenInterests'], types: DERIVATIVES },
  { name: 'option_greeks', methods: ['fetchGreeks'], types: [T.INSTRUMENT_TYPE_OPTION] },
  { name: 'ticker', methods: ['fetchTicker', 'watchTicker'], types: ALL },
  { name: 'trades', methods: ['fetchTrades', 'watchTrades'], types: ALL },
];

const available = (has: ExchangeHas, method: string): boolean => {
  const v = has[method];
  return v === true || v === 'emulated';
};

/** The data a consumer can get for an instrument of `type`, sorted so refreshes stay identical. */
export function dataTypesOf(has: ExchangeHas, type: InstrumentType): string[] {
  return DATA_TYPES
    .filter((d) => d.types.includes(type) && d.methods.some((method) => available(has, method)))
    .map((d) => d.name);
}
