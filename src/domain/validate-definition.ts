import {
  InstrumentStatus,
  InstrumentType,
  OptionType,
  PrecisionMode,
  type InstrumentDefinition,
} from '../../gen/ts/instruments/v1/instrument.js';
import { isPlainDecimal } from './decimal.js';
import { formatInstrumentKey, parseInstrumentKey } from './instrument-key.js';

// Fields that carry exact decimals: each is empty or a canonical plain decimal.
const DECIMAL_FIELDS = [
  'tickSize', 'minSize', 'maxSize', 'tradingFeesMaker', 'tradingFeesTaker', 'contractSize', 'lotSize',
  'minNotional', 'maxNotional', 'strike', 'minPrice', 'maxPrice',
] as const satisfies ReadonlyArray<keyof InstrumentDefinition>;

/** Problems that make a definition inconsistent; empty when it is valid. */
export function validateDefinition(d: InstrumentDefinition): string[] {
  const problems: string[] = [];
  for (const field of DECIMAL_FIELDS) {
    const v = d[field];
    if (v !== '' && !isPlainDecimal(v)) problems.push(`${field} "${v}" is not a plain decimal`);
  }
  for (const step of d.tickSizeSteps) {
    if (!isPlainDecimal(step.abovePrice) || !isPlainDecimal(step.tickSize)) problems.push('tick_size_steps has a non-decimal value');
  }
  const parsed = parseInstrumentKey(d.instrumentKey);
  if ('error' in parsed) problems.push(parsed.error);
  else if (formatInstrumentKey(d.venue, d.instrumentType, d.ccxtSymbol) !== d.instrumentKey) {
    problems.push(`instrument_key "${d.instrumentKey}" does not match venue, type and ccxt_symbol`);
  }
  const complete = d.status !== InstrumentStatus.INSTRUMENT_STATUS_INCOMPLETE;
  const priceRuleOk =
    (d.pricePrecisionMode === PrecisionMode.PRECISION_MODE_TICK_SIZE && d.tickSize !== '') ||
    (d.pricePrecisionMode === PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS && d.tickSize !== '' && d.tickSizeSteps.length > 0) ||
    (d.pricePrecisionMode === PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS && d.priceSignificantDigits > 0 && d.tickSize === '');
  if (complete && !priceRuleOk) problems.push('a complete definition needs a price rule matching price_precision_mode');
  if (!complete && d.incompleteFields.length === 0) problems.push('status INCOMPLETE without incomplete_fields');
  if (d.exchangeRawSymbol === '') problems.push('exchange_raw_symbol is required');
  for (const [field, value] of [['base_asset', d.baseAsset], ['quote_asset', d.quoteAsset]] as const) {
    if (value === '' && !d.incompleteFields.includes(field)) problems.push(`${field} is required unless listed in incomplete_fields`);
  }

  const t = d.instrumentType;
  const derivative = t !== InstrumentType.INSTRUMENT_TYPE_SPOT;
  const dated = t === InstrumentType.INSTRUMENT_TYPE_FUTURE || t === InstrumentType.INSTRUMENT_TYPE_OPTION || t === InstrumentType.INSTRUMENT_TYPE_COMBO;
  if (!derivative && (d.contractSize !== '' || d.linear !== undefined || d.inverse !== undefined || d.settleAsset !== '')) {
    problems.push('spot has no contract size, linear/inverse or settle asset');
  }
  if (derivative && d.settleAsset === '' && !d.incompleteFields.includes('settle_asset')) problems.push('a derivative needs a settle asset');
  if (derivative && d.linear === d.inverse && d.linear !== undefined) problems.push('linear and inverse must differ');
  const missing = (field: string): boolean => d.incompleteFields.includes(field);
  if (dated !== (d.expiry !== undefined) && !(dated && missing('expiry'))) {
    problems.push(dated ? 'futures, options and combos need an expiry unless listed in incomplete_fields' : 'only futures, options and combos have an expiry');
  }
  const option = t === InstrumentType.INSTRUMENT_TYPE_OPTION;
  if (option && ((d.strike === '' && !missing('strike')) || (d.optionType === OptionType.OPTION_TYPE_UNSPECIFIED && !missing('option_type')))) {
    problems.push('an option needs strike and option_type unless listed in incomplete_fields');
  }
  if (!option && (d.strike !== '' || d.optionType !== OptionType.OPTION_TYPE_UNSPECIFIED)) problems.push('only options have strike and option_type');
  return problems;
}
