import { AmountUnit } from '../../../gen/ts/instruments/v1/instrument.js';
import type { UnifiedMarket } from '../unified-market.js';
import type { VenueRule } from './types.js';

// Deribit's order `amount` (private/buy, private/sell) is USD for inverse futures and perpetuals
// (raw instrument_type "reversed") and the base coin for linear futures, options and spot; the
// same holds for contract_size. CCXT passes `amount` through, so for inverse instruments its
// unified amount is USD, not contracts: BTC-PERPETUAL min_trade_amount 10 is 10 USD = 1 contract.
function unitOf(m: UnifiedMarket, info: Record<string, unknown>): AmountUnit {
  const kind = String(info['kind'] ?? '');
  const option = m.option || kind === 'option' || kind === 'option_combo';
  // A dump without the raw entry still says inverse through CCXT's flag.
  const reversed = info['instrument_type'] === undefined ? m.inverse === true : info['instrument_type'] === 'reversed';
  return reversed && !option ? AmountUnit.AMOUNT_UNIT_QUOTE : AmountUnit.AMOUNT_UNIT_BASE;
}

export const deribit: VenueRule = {
  amountUnit: unitOf,
  contractSizeUnit: unitOf,
};
