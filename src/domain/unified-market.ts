// The part of CCXT's unified market structure the service reads. Declared here rather than
// imported from ccxt so that the domain stays free of the exchange library; values are loose
// because exchanges (and CCXT's static samples) give numbers, numeric strings or nothing.

export type Numeric = number | string | null | undefined;

export interface MinMax {
  min?: Numeric;
  max?: Numeric;
}

export interface UnifiedMarket {
  id: string;
  symbol: string;
  base: string;
  quote: string;
  settle?: string | null;
  baseId?: string;
  quoteId?: string;
  type?: string;
  spot: boolean;
  margin?: boolean;
  swap: boolean;
  future: boolean;
  option: boolean;
  contract?: boolean;
  linear?: boolean | null;
  inverse?: boolean | null;
  active?: boolean | null;
  contractSize?: Numeric;
  expiry?: Numeric;
  strike?: Numeric;
  optionType?: string | null;
  created?: Numeric;
  taker?: Numeric;
  maker?: Numeric;
  precision: { price?: Numeric; amount?: Numeric };
  limits: { amount?: MinMax; price?: MinMax; cost?: MinMax };
  info: Record<string, unknown>;
}

/** CCXT's counting modes (ccxt/js/src/base/functions/number.js). */
export const CcxtPrecisionMode = {
  DECIMAL_PLACES: 2,
  SIGNIFICANT_DIGITS: 3,
  TICK_SIZE: 4,
} as const;
