import { PrecisionMode } from '../../gen/ts/instruments/v1/instrument.js';
import { decimalPlacesToIncrement, toPlainDecimal } from './decimal.js';
import type { Numeric } from './unified-market.js';
import { CcxtPrecisionMode } from './unified-market.js';

// CCXT's precision values mean what the exchange class's precisionMode says: a tick size
// (TICK_SIZE), a number of decimal places (DECIMAL_PLACES) or of significant digits
// (SIGNIFICANT_DIGITS). Some classes round amounts by decimal places although prices use
// significant digits: their amountToPrecision says so, and this table mirrors it.
const AMOUNT_MODE_OVERRIDES: Record<string, number> = {
  bitfinex: CcxtPrecisionMode.DECIMAL_PLACES,
  bithumb: CcxtPrecisionMode.DECIMAL_PLACES,
};

export interface IncrementRule {
  mode: PrecisionMode;
  /** The increment, for TICK_SIZE mode. */
  increment?: string;
  /** For SIGNIFICANT_DIGITS mode. */
  significantDigits?: number;
}

export function amountModeOf(ccxtId: string, classMode: number): number {
  return AMOUNT_MODE_OVERRIDES[ccxtId] ?? classMode;
}

/** Interprets one CCXT precision value; undefined when the exchange gave none. */
export function incrementRule(value: Numeric, ccxtMode: number): IncrementRule | undefined {
  const plain = toPlainDecimal(value);
  if (plain === undefined) return undefined;
  switch (ccxtMode) {
    case CcxtPrecisionMode.TICK_SIZE:
      if (plain.startsWith('-') || plain === '0') return undefined;
      return { mode: PrecisionMode.PRECISION_MODE_TICK_SIZE, increment: plain };
    case CcxtPrecisionMode.DECIMAL_PLACES: {
      const places = Number(plain);
      if (!Number.isInteger(places)) return undefined;
      return { mode: PrecisionMode.PRECISION_MODE_TICK_SIZE, increment: decimalPlacesToIncrement(places) };
    }
    case CcxtPrecisionMode.SIGNIFICANT_DIGITS: {
      const digits = Number(plain);
      if (!Number.isInteger(digits) || digits <= 0) return undefined;
      return { mode: PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS, significantDigits: digits };
    }
    default:
      throw new RangeError(`unknown CCXT precision mode ${ccxtMode}`);
  }
}
