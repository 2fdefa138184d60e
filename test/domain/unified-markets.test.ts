import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';
import { InstrumentType, PrecisionMode } from '../../gen/ts/instruments/v1/instrument.js';
import { convertMarket } from '../../src/domain/convert-market.js';
import type { UnifiedMarket } from '../../src/domain/unified-market.js';
import { UNIFIED_MARKETS_DIR } from '../support/fixtures.js';

// CCXT's own unified-market samples: the precision values mean what the class's precisionMode says.
const receivedAt = new Date('2026-01-01T00:00:00Z');

function load(id: string): UnifiedMarket[] {
  return Object.values(JSON.parse(readFileSync(join(UNIFIED_MARKETS_DIR, `${id}.json`), 'utf8')) as Record<string, UnifiedMarket>);
}

function precisionModeOf(id: string): number {
  const Exchange = (ccxt as unknown as Record<string, new () => { precisionMode: number }>)[id];
  if (Exchange === undefined) throw new Error(`ccxt has no class ${id}`);
  return new Exchange().precisionMode;
}

// Every sample, every market: test/conversion/unified-breadth.test.ts.
describe('precision modes', () => {
  it('bitfinex: prices by 5 significant digits (raw price_precision), amounts by 8 decimals', () => {
    const mode = precisionModeOf('bitfinex');
    for (const market of load('bitfinex')) {
      const result = convertMarket(market, { ccxtExchange: 'bitfinex', precisionMode: mode, receivedAt, has: {} });
      if (!result.ok) throw new Error(result.reason);
      const d = result.definition;
      expect(d.pricePrecisionMode).toBe(PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS);
      expect(d.priceSignificantDigits).toBe(Number(market.info['price_precision']));
      expect(d.tickSize).toBe('');
      // bitfinex.amountToPrecision truncates to DECIMAL_PLACES: 8 decimals is a lot of 1e-8.
      expect(d.amountPrecisionMode).toBe(PrecisionMode.PRECISION_MODE_TICK_SIZE);
      expect(d.lotSize).toBe('0.00000001');
      expect(d.minSize).toBe(String(market.info['minimum_order_size']).replace(/0+$/, '').replace(/\.$/, ''));
    }
  });

  it('bithumb: prices by significant digits, amounts by decimal places', () => {
    const [market] = load('bithumb');
    if (market === undefined) throw new Error('no bithumb market');
    const result = convertMarket(market, { ccxtExchange: 'bithumb', precisionMode: precisionModeOf('bithumb'), receivedAt, has: {} });
    if (!result.ok) throw new Error(result.reason);
    expect(result.definition.pricePrecisionMode).toBe(PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS);
    expect(result.definition.priceSignificantDigits).toBe(Number(market.precision.price));
    expect(result.definition.amountPrecisionMode).toBe(PrecisionMode.PRECISION_MODE_TICK_SIZE);
    expect(result.definition.lotSize).toBe(`0.${'0'.repeat(Number(market.precision.amount) - 1)}1`);
  });

  it('DECIMAL_PLACES: precision counts decimals, converted to the equivalent tick and lot', () => {
    // No sample exchange uses DECIMAL_PLACES any more; take a real spot sample and read its
    // precision as a DECIMAL_PLACES class would report it.
    const [sample] = load('kraken');
    if (sample === undefined) throw new Error('no kraken sample');
    const market = { ...sample, precision: { price: 1, amount: 8 } };
    const result = convertMarket(market, { ccxtExchange: 'kraken', precisionMode: ccxt.DECIMAL_PLACES, receivedAt, has: {} });
    if (!result.ok) throw new Error(result.reason);
    expect(result.definition.tickSize).toBe('0.1');
    expect(result.definition.lotSize).toBe('0.00000001');
    expect(result.definition.pricePrecisionMode).toBe(PrecisionMode.PRECISION_MODE_TICK_SIZE);
  });

  it('deribit option: price-dependent tick steps from the raw tick_size_steps', () => {
    const option = load('deribit').find((m) => m.option);
    if (option === undefined) throw new Error('no deribit option sample');
    const result = convertMarket(option, { ccxtExchange: 'deribit', precisionMode: precisionModeOf('deribit'), receivedAt, has: {} });
    if (!result.ok) throw new Error(result.reason);
    const d = result.definition;
    expect(d.instrumentType).toBe(InstrumentType.INSTRUMENT_TYPE_OPTION);
    const rawSteps = option.info['tick_size_steps'] as Array<{ above_price: number; tick_size: number }>;
    expect(d.tickSizeSteps).toEqual(rawSteps.map((s) => ({ abovePrice: String(s.above_price), tickSize: String(s.tick_size) })));
    expect(d.pricePrecisionMode).toBe(rawSteps.length > 0 ? PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS : PrecisionMode.PRECISION_MODE_TICK_SIZE);
  });
});
