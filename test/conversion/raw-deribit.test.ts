// Deribit: every instrument of the recorded public/get_instruments response (all currencies and
// kinds: spot, future, perpetual, option, future_combo, option_combo) against what
// `instruments sync --once` prints for it. Expected values come from the raw JSON per Deribit's
// API documentation; CCXT's mapping (node_modules/ccxt/js/src/deribit.js, fetchMarkets) is noted
// where the unified field depends on a choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  absent,
  compare,
  decimal,
  epochMs,
  type ExpectedInstrument,
  instrumentType,
  nonCanonicalDecimals,
  priceMode,
  type RawStep,
  summary,
  tickSteps,
  unit,
  type Want,
} from './support/expectations.js';
import { listAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type SyncRun } from './support/run-sync.js';

const ID = 'deribit';
const INSTRUMENTS_URL = 'https://www.deribit.com/api/v2/public/get_instruments';

function stepsOf(instrument: RawObject): RawStep[] {
  const raw = instrument['tick_size_steps'];
  if (!Array.isArray(raw)) return [];
  return raw.map((s) => {
    const step = s as RawObject;
    return { abovePrice: text(step, 'above_price') ?? '', tickSize: text(step, 'tick_size') ?? '' };
  });
}

/**
 * Deribit's order `amount` (private/buy): "For perpetual and inverse futures the amount is in USD
 * units. For options and linear futures it is the underlying base currency coin." contract_size
 * is in the same unit. Inverse is instrument_type "reversed"; option combos count options.
 */
function unitOf(i: RawObject, note: string): Want {
  const kind = text(i, 'kind') ?? '';
  const instrumentType = text(i, 'instrument_type') ?? '';
  const raw = `kind=${kind} instrument_type=${instrumentType} (${note})`;
  if (instrumentType === 'reversed' && (kind === 'future' || kind === 'future_combo')) return unit('QUOTE', raw);
  return unit('BASE', raw);
}

function expectedOf(i: RawObject): ExpectedInstrument {
  const name = text(i, 'instrument_name') ?? '';
  const kind = text(i, 'kind') ?? '';
  const period = text(i, 'settlement_period');
  const note = `kind=${kind} settlement_period=${period ?? '-'}`;
  const type = kind === 'spot' ? 'SPOT'
    : kind.endsWith('_combo') ? 'COMBO' // future_combo / option_combo: one instrument, several legs
      : kind === 'option' ? 'OPTION'
        : period === 'perpetual' ? 'PERPETUAL' : 'FUTURE';
  const tick = decimal('tick_size', text(i, 'tick_size'));
  const steps = tickSteps('tick_size_steps', stepsOf(i));
  // Deribit gives no separate amount step: orders are in multiples of min_trade_amount (USD for
  // inverse futures/perpetuals, base coin for options, linear futures and spot). CCXT maps both
  // precision.amount and limits.amount.min to min_trade_amount; there is no maximum order size.
  const minTrade = decimal('min_trade_amount', text(i, 'min_trade_amount'));
  const dated = type === 'FUTURE' || type === 'OPTION' || type === 'COMBO';
  return {
    segment: type === 'SPOT' ? 'spot' : 'derivative',
    rawSymbol: name,
    fields: {
      instrumentType: instrumentType(type, note),
      tickSize: tick,
      tickSizeSteps: steps,
      pricePrecisionMode: priceMode(tick, steps),
      lotSize: minTrade,
      minSize: minTrade,
      maxSize: absent('Deribit publishes no maximum order size'),
      minNotional: absent('Deribit publishes no minimum order value'),
      maxNotional: absent('Deribit publishes no maximum order value'),
      // Spot reports contract_size too (it equals the amount step), but the contract defines
      // contract_size as empty for spot.
      contractSize: type === 'SPOT' ? absent('spot has no contract size') : decimal('contract_size', text(i, 'contract_size')),
      // Perpetuals and spot carry expiration_timestamp 32503708800000 (year 3000): not an expiry.
      expiry: dated
        ? epochMs('expiration_timestamp', text(i, 'expiration_timestamp'))
        : absent(`no expiry for ${note} (expiration_timestamp=${text(i, 'expiration_timestamp') ?? '-'})`),
      strike: type === 'OPTION' ? decimal('strike', text(i, 'strike')) : absent(`not a single option (${note})`),
      optionType: type === 'OPTION'
        ? { value: `OPTION_TYPE_${(text(i, 'option_type') ?? '').toUpperCase()}`, raw: `option_type=${text(i, 'option_type') ?? '-'}` }
        : absent(`not a single option (${note})`),
      amountUnit: unitOf(i, `min_trade_amount=${text(i, 'min_trade_amount') ?? '-'}`),
      contractSizeUnit: type === 'SPOT' ? absent('spot has no contract size') : unitOf(i, `contract_size=${text(i, 'contract_size') ?? '-'}`),
    },
  };
}

describe('deribit: conversion equals the raw get_instruments', () => {
  let sync: SyncRun;
  let expected: ExpectedInstrument[];
  const report: string[] = [];

  beforeAll(async () => {
    expected = listAt(readRecorded(ID, INSTRUMENTS_URL), 'result').map(expectedOf);
    sync = await runSync([ID]);
  });

  afterAll(() => {
    console.log(`raw-deribit (sync ${sync?.ms ?? '?'} ms)\n  ${report.join('\n  ')}`);
  });

  it('converts every raw instrument exactly once and nothing else (no duplicate symbols for CCXT to drop)', () => {
    const c = compare(ID, expected, linesOf(sync, ID));
    expect({ missing: c.missing, unexpected: c.unexpected, duplicates: c.duplicates }).toEqual({
      missing: [], unexpected: [], duplicates: [],
    });
    expect(linesOf(sync, ID)).toHaveLength(expected.length);
  });

  it('tick size / tick size steps, amounts, contract size, type, expiry, strike and option type equal the raw values', () => {
    const c = compare(ID, expected, linesOf(sync, ID));
    report.push(`${ID}: ${summary(c)}`);
    expect(c.mismatches).toEqual([]);
  });

  it('prints every decimal as a canonical plain decimal', () => {
    expect(nonCanonicalDecimals(ID, linesOf(sync, ID))).toEqual([]);
  });
});
