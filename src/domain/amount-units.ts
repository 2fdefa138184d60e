import { AmountUnit, InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import type { UnifiedMarket } from './unified-market.js';
import { venueRuleOf } from './venue-rules/index.js';

export interface Units {
  amountUnit: AmountUnit;
  contractSizeUnit: AmountUnit;
}

// The rule: sizes are in the exchange's own order unit. Spot orders count the base asset. A
// derivative counts contracts, CCXT's unified convention, unless the exchange's venue rule says
// its order API counts base or quote (src/domain/venue-rules/).
function genericContractSizeUnit(m: UnifiedMarket, type: InstrumentType): AmountUnit {
  // An option's contract is an amount of its underlying, whatever it settles in.
  if (type === InstrumentType.INSTRUMENT_TYPE_OPTION) return AmountUnit.AMOUNT_UNIT_BASE;
  if (m.inverse) return AmountUnit.AMOUNT_UNIT_QUOTE;
  if (m.linear) return AmountUnit.AMOUNT_UNIT_BASE;
  return AmountUnit.AMOUNT_UNIT_UNSPECIFIED;
}

/** The units of min/max/lot size and of contract_size (unspecified when there is no contract size). */
export function unitsOf(
  m: UnifiedMarket,
  info: Record<string, unknown>,
  type: InstrumentType,
  ccxtExchange: string,
  contractSize: string,
): Units {
  if (type === InstrumentType.INSTRUMENT_TYPE_SPOT) {
    return { amountUnit: AmountUnit.AMOUNT_UNIT_BASE, contractSizeUnit: AmountUnit.AMOUNT_UNIT_UNSPECIFIED };
  }
  const rule = venueRuleOf(ccxtExchange);
  return {
    amountUnit: rule.amountUnit?.(m, info) ?? AmountUnit.AMOUNT_UNIT_CONTRACTS,
    contractSizeUnit: contractSize === ''
      ? AmountUnit.AMOUNT_UNIT_UNSPECIFIED
      : rule.contractSizeUnit?.(m, info) ?? genericContractSizeUnit(m, type),
  };
}

/** One contract's size: the venue rule's reading of the raw response, else CCXT's contractSize. */
export function venueContractSize(m: UnifiedMarket, info: Record<string, unknown>, ccxtExchange: string): string | undefined {
  return venueRuleOf(ccxtExchange).contractSize?.(m, info);
}
