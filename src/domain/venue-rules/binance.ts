import { AmountUnit } from '../../../gen/ts/instruments/v1/instrument.js';
import type { VenueRule } from './types.js';

// USD-M (fapi) orders take `quantity` in the base asset and exchangeInfo has no `contractSize`
// field; COIN-M (dapi) symbols carry `contractSize` (USD per contract) and take contracts.
// CCXT models USD-M as contracts of size 1, which is the same number but not Binance's unit.
export const binance: VenueRule = {
  amountUnit: (m, info) => (!m.option && info['contractSize'] === undefined ? AmountUnit.AMOUNT_UNIT_BASE : undefined),
};
