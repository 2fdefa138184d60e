// Markets as CCXT's own samples (and dumps from other CCXT languages) give them, thinner than a live
// loadMarkets: no `info`, no expiry, `false` for "none". Each converts without throwing, says what
// it lacks, and validates.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ccxt, { type Exchange } from 'ccxt';
import { describe, expect, it } from 'vitest';
import { InstrumentStatus, InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { convertContextOf } from '../../src/adapters/ccxt/load-definitions.js';
import { convertMarket } from '../../src/domain/convert-market.js';
import type { UnifiedMarket } from '../../src/domain/unified-market.js';
import { validateDefinition } from '../../src/domain/validate-definition.js';
import { UNIFIED_MARKETS_DIR } from '../support/fixtures.js';

const sample = (id: string): UnifiedMarket[] =>
  Object.values(JSON.parse(readFileSync(join(UNIFIED_MARKETS_DIR, `${id}.json`), 'utf8')) as Record<string, UnifiedMarket>);
const contextOf = (id: string) => convertContextOf(new (ccxt as unknown as Record<string, new () => Exchange>)[id]!(), new Date('2026-01-01T00:00:00Z'));

function convert(id: string, market: UnifiedMarket) {
  const result = convertMarket(market, contextOf(id));
  if (!result.ok) throw new Error(`${id} ${market.symbol}: ${result.reason}`);
  return result.definition;
}

describe('sparse markets', () => {
  it('bybit options with info null: converted from the unified fields alone', () => {
    const options = sample('bybit').filter((m) => m.option && (m.info as unknown) === null);
    expect(options.length).toBeGreaterThan(0);
    for (const m of options) {
      const d = convert('bybit', m);
      expect(validateDefinition(d)).toEqual([]);
      expect(d.instrumentType).toBe(InstrumentType.INSTRUMENT_TYPE_OPTION);
      expect(d.exchangeRawSymbol).toBe(m.id);
      expect(d.strike).toBe(String(m.strike));
      expect(d.expiry?.getTime()).toBe(Number(m.expiry));
      expect(d.exchangeStatus).toBe(''); // it lives in info, which there is none of
    }
  });

  it('binance dated contracts without info, expiry or strike: INCOMPLETE, naming each', () => {
    const dated = sample('binance').filter((m) => (m.future || m.option) && m.info === undefined);
    expect(dated.map((m) => m.type).sort()).toEqual(['future', 'option']);
    for (const m of dated) {
      expect(m.expiry).toBeUndefined();
      const d = convert('binance', m);
      expect(validateDefinition(d)).toEqual([]);
      expect(d.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_INCOMPLETE);
      expect(d.expiry).toBeUndefined();
      expect(d.incompleteFields).toContain('expiry');
      if (m.option) expect(d.incompleteFields).toEqual(expect.arrayContaining(['strike', 'option_type']));
    }
  });

  it('indodax spot with settle false: no settle asset, still a valid spot', () => {
    for (const m of sample('indodax')) {
      expect(m.settle).toBe(false);
      const d = convert('indodax', m);
      expect(d.settleAsset).toBe('');
      expect(validateDefinition(d)).toEqual([]);
    }
  });
});
