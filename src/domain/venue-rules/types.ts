import type { AmountUnit } from '../../../gen/ts/instruments/v1/instrument.js';
import type { UnifiedMarket } from '../unified-market.js';

/**
 * What one exchange's raw API says where CCXT's unified market is lossy or implies another unit.
 * Each hook reads the raw `info` (never null here) and returns undefined to keep the generic rule.
 */
export interface VenueRule {
  /** The unit of the exchange's order amount for a derivative (spot is always base). */
  amountUnit?: (m: UnifiedMarket, info: Record<string, unknown>) => AmountUnit | undefined;
  /** The unit of one contract's size. */
  contractSizeUnit?: (m: UnifiedMarket, info: Record<string, unknown>) => AmountUnit | undefined;
  /** One contract's size as a plain decimal. */
  contractSize?: (m: UnifiedMarket, info: Record<string, unknown>) => string | undefined;
}
