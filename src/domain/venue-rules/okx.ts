import { multiplyDecimals, toPlainDecimal } from '../decimal.js';
import type { VenueRule } from './types.js';

// OKX derivative orders take `sz` in contracts (the generic rule; ctValCcy agrees with the generic
// contract-size unit on every recorded instrument). One contract is ctVal × ctMult of ctValCcy.
// CCXT takes ctVal alone, which is right only while ctMult is 1 (swaps, futures) and 100× too
// large for BTC options (ctMult 0.01).
export const okx: VenueRule = {
  contractSize: (_m, info) => {
    const ctVal = toPlainDecimal(info['ctVal']);
    const ctMult = toPlainDecimal(info['ctMult']);
    return ctVal !== undefined && ctMult !== undefined ? multiplyDecimals(ctVal, ctMult) : undefined;
  },
};
