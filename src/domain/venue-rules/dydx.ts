import { AmountUnit } from '../../../gen/ts/instruments/v1/instrument.js';
import type { VenueRule } from './types.js';

// dYdX v4 order `size` and the indexer's `stepSize` are in base units (stepBaseQuantums ×
// 10^atomicResolution); CCXT's contractSize 1 is its own convention, not a dYdX field.
export const dydx: VenueRule = {
  amountUnit: () => AmountUnit.AMOUNT_UNIT_BASE,
};
