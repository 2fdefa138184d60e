// The key a Tardis record gets is the key the live CCXT path gives the same instrument. Every
// instrument of the real Deribit recording (test/fixtures/exchanges/deribit/get_instruments.json:
// spot, futures, perpetuals, options, future and option combos) is written in Tardis' form, as the
// Deribit samples in test/fixtures/tardis show it, converted, and compared with what
// `instruments sync --once` prints for it.
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { beforeAll, describe, expect, it } from 'vitest';

import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { tardisToDefinition } from '../../src/domain/tardis-definition.js';
import type { TardisInstrument, TardisType } from '../../src/domain/tardis-instrument.js';
import { linesOf, runSync, type OutputLine } from '../conversion/support/run-sync.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { readSample } from './support/samples.js';

interface DeribitInstrument {
  instrument_name: string;
  kind: string;
  settlement_period?: string;
  base_currency: string;
  quote_currency: string;
  instrument_type: string;
  is_active: boolean;
  creation_timestamp: number;
  expiration_timestamp: number;
  tick_size: number;
  min_trade_amount: number;
  maker_commission: number;
  taker_commission: number;
  contract_size: number;
  price_index: string;
  strike?: number;
  option_type?: 'call' | 'put';
}

const iso = (ms: number): string => new Date(ms).toISOString();
const midnight = (ms: number): string => iso(Math.floor(ms / 86_400_000) * 86_400_000);

// Tardis' form of a Deribit instrument, read off the samples: quoteCurrency is Deribit's
// quote_currency (BTC for the inverse option), no settlementCurrency, inverse for "reversed"
// instruments, underlyingIndex the price index, availableSince the listing day's midnight.
function tardisFormOf(i: DeribitInstrument): TardisInstrument {
  const type: TardisType = i.kind === 'spot' ? 'spot'
    : i.kind.endsWith('_combo') ? 'combo'
      : i.kind === 'option' ? 'option'
        : i.settlement_period === 'perpetual' ? 'perpetual' : 'future';
  const record: TardisInstrument = {
    id: i.instrument_name,
    exchange: 'deribit',
    baseCurrency: i.base_currency,
    quoteCurrency: i.quote_currency,
    type,
    active: i.is_active,
    availableSince: midnight(i.creation_timestamp),
    listing: iso(i.creation_timestamp),
    priceIncrement: i.tick_size,
    amountIncrement: i.min_trade_amount,
    minTradeAmount: i.min_trade_amount,
    makerFee: i.maker_commission,
    takerFee: i.taker_commission,
  };
  if (type === 'spot') return record;
  Object.assign(record, { inverse: i.instrument_type === 'reversed', contractMultiplier: i.contract_size, underlyingIndex: i.price_index });
  if (type !== 'perpetual') record.expiry = iso(i.expiration_timestamp);
  if (type === 'option' && i.strike !== undefined && i.option_type !== undefined) {
    Object.assign(record, { strikePrice: i.strike, optionType: i.option_type });
  }
  return record;
}

const instruments = (JSON.parse(readFileSync(path.join(EXCHANGES_DIR, 'deribit', 'get_instruments.json'), 'utf8')) as {
  result: DeribitInstrument[];
}).result;

// Fields both sources know, in proto3 JSON as the CLI prints them.
const SHARED = [
  'instrumentKey', 'venue', 'instrumentType', 'ccxtSymbol', 'baseAsset', 'quoteAsset', 'settleAsset', 'expiry', 'strike',
  'optionType', 'tickSize', 'minSize', 'lotSize', 'tradingFeesMaker', 'tradingFeesTaker', 'underlying', 'listingTime',
  'exchangeRawSymbol', 'tardisExchange', 'tardisSymbol', 'venueType', 'assetClass',
] as const;

describe('Tardis keys equal live CCXT keys on the real Deribit recording', () => {
  let live: Map<string, OutputLine>;
  beforeAll(async () => {
    const sync = await runSync(['deribit']);
    live = new Map(linesOf(sync, 'deribit').map((line) => [String(line['exchangeRawSymbol']), line]));
  });

  it('covers every recorded instrument and every type', () => {
    expect(live.size).toBe(instruments.length);
    const types = new Set(instruments.map((i) => tardisFormOf(i).type));
    expect([...types].sort()).toEqual(['combo', 'future', 'option', 'perpetual', 'spot']);
  });

  // Tardis' symbol convention is upper case; Deribit's names have a lower-case "d" for a decimal
  // point (XRP_USDC-28NOV25-2d5-C, combo XRP_USDC-RR-28NOV25-2d1_2d8), so both spellings are tried.
  it.each([
    ['as Deribit spells it', (id: string) => id],
    ['upper-cased', (id: string) => id.toUpperCase()],
  ])('gives every instrument the live key and the same shared fields, id %s', (_spelling, spell) => {
    const mismatches: string[] = [];
    for (const instrument of instruments) {
      const record = tardisFormOf(instrument);
      const result = tardisToDefinition({ ...record, id: spell(record.id) }, { dataProvider: 'tardis' });
      if (!result.ok) {
        mismatches.push(`${instrument.instrument_name}: ${result.reason}`);
        continue;
      }
      const ours = InstrumentDefinition.toJSON(result.definition) as OutputLine;
      const theirs = live.get(instrument.instrument_name) ?? {};
      // CCXT cannot tell a combo's margining and leaves linear/inverse unset; Tardis says it.
      const fields = instrument.kind.endsWith('_combo') ? SHARED : [...SHARED, 'linear', 'inverse'];
      for (const field of fields) {
        if (ours[field] !== theirs[field]) {
          mismatches.push(`${instrument.instrument_name} ${field}: tardis ${String(ours[field])} live ${String(theirs[field])}`);
        }
      }
    }
    expect(mismatches.slice(0, 20)).toEqual([]);
  });

  it('gives the real Tardis sample of BTC_USDC (in the recording too) the live key and values', () => {
    const result = tardisToDefinition(readSample('deribit_BTC_USDC.json').record, { dataProvider: 'tardis' });
    if (!result.ok) throw new Error(result.reason);
    const ours = InstrumentDefinition.toJSON(result.definition) as OutputLine;
    const theirs = live.get('BTC_USDC') ?? {};
    expect(Object.fromEntries(SHARED.map((f) => [f, ours[f]]))).toEqual(Object.fromEntries(SHARED.map((f) => [f, theirs[f]])));
    expect(ours['instrumentKey']).toBe('DERIBIT:SPOT:BTC/USDC');
  });

  it.each([
    ['BTC_USDC', 'DERIBIT:SPOT:BTC/USDC'],
    ['BTC-PERPETUAL', 'DERIBIT:PERPETUAL:BTC/USD:BTC'],
    ['BTC_USDC-PERPETUAL', 'DERIBIT:PERPETUAL:BTC/USDC:USDC'],
    ['BTC-26DEC25', 'DERIBIT:FUTURE:BTC/USD:BTC-251226'],
    ['BTC_USDC-28NOV25', 'DERIBIT:FUTURE:BTC/USDC:USDC-251128'],
    ['BTC-26DEC25-100000-P', 'DERIBIT:OPTION:BTC/USD:BTC-251226-100000-P'],
    ['XRP_USDC-28NOV25-2d5-C', 'DERIBIT:OPTION:XRP/USDC:USDC-251128-2.5-C'],
    ['BTC-FS-26DEC25_PERP', 'DERIBIT:COMBO:BTC-FS-26DEC25_PERP'],
    ['BTC-PCAL-14NOV25_7NOV25-115000', 'DERIBIT:COMBO:BTC-PCAL-14NOV25_7NOV25-115000'],
    ['XRP_USDC-RR-28NOV25-2d1_2d8', 'DERIBIT:COMBO:XRP_USDC-RR-28NOV25-2d1_2d8'],
  ])('%s → %s, live and from Tardis', (name, key) => {
    const instrument = instruments.find((i) => i.instrument_name === name);
    if (instrument === undefined) throw new Error(`${name} is not in the recording`);
    const result = tardisToDefinition(tardisFormOf(instrument), { dataProvider: 'tardis' });
    expect(result.ok && result.definition.instrumentKey).toBe(key);
    expect(live.get(name)?.['instrumentKey']).toBe(key);
  });
});
