// Every Tardis sample (test/fixtures/tardis) converted, each field checked against the sample's raw
// JSON; keys and assets are written out by hand in CCXT's naming (their live form is proven on the
// real Deribit recording in tardis-keys-live.test.ts).
import { describe, expect, it } from 'vitest';

import {
  AssetClass,
  InstrumentStatus,
  InstrumentType,
  OptionType,
  PrecisionMode,
  VenueType,
  type InstrumentDefinition,
} from '../../gen/ts/instruments/v1/instrument.js';
import { tardisToDefinition } from '../../src/domain/tardis-definition.js';
import type { TardisInstrument } from '../../src/domain/tardis-instrument.js';
import { validateDefinition } from '../../src/domain/validate-definition.js';
import { canonical } from '../support/exact-decimal.js';
import { readSample, rawText, SAMPLE_FILES } from './support/samples.js';

const OPTIONS = { dataProvider: 'tardis' };

// CCXT: spot BASE/QUOTE, derivatives BASE/QUOTE:SETTLE[-YYMMDD[-STRIKE-C|P]], Deribit combos by id.
const EXPECTED: Record<string, { key: string; base: string; quote: string; settle: string }> = {
  'deribit_BTC_USDC.json': { key: 'DERIBIT:SPOT:BTC/USDC', base: 'BTC', quote: 'USDC', settle: '' },
  'deribit_BTC-14FEB25.json': { key: 'DERIBIT:FUTURE:BTC/USD:BTC-250214', base: 'BTC', quote: 'USD', settle: 'BTC' },
  // Tardis (like Deribit's quote_currency) says BTC; CCXT quotes Deribit's inverse options in USD.
  'deribit_BTC-25APR25-200000-P.json': { key: 'DERIBIT:OPTION:BTC/USD:BTC-250425-200000-P', base: 'BTC', quote: 'USD', settle: 'BTC' },
  'deribit_BTC-FS-28MAR25_PERP.json': { key: 'DERIBIT:COMBO:BTC-FS-28MAR25_PERP', base: 'BTC', quote: 'USD', settle: 'BTC' },
  'bitmex_XBTUSD.json': { key: 'BITMEX:PERPETUAL:BTC/USD:BTC', base: 'BTC', quote: 'USD', settle: 'BTC' },
  'bitmex_XBTUSD_docs-sample.json': { key: 'BITMEX:PERPETUAL:BTC/USD:BTC', base: 'BTC', quote: 'USD', settle: 'BTC' },
};

const TYPES: Record<string, InstrumentType> = {
  spot: InstrumentType.INSTRUMENT_TYPE_SPOT,
  perpetual: InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
  future: InstrumentType.INSTRUMENT_TYPE_FUTURE,
  option: InstrumentType.INSTRUMENT_TYPE_OPTION,
  combo: InstrumentType.INSTRUMENT_TYPE_COMBO,
};

function converted(record: TardisInstrument): InstrumentDefinition {
  const result = tardisToDefinition(record, OPTIONS);
  if (!result.ok) throw new Error(`${record.id}: ${result.reason}`);
  return result.definition;
}

const decimalOf = (text: string | undefined): string => (text === undefined ? '' : canonical(text));
const timeOf = (text: string | undefined): Date | undefined => (text === undefined ? undefined : new Date(text));

describe('tardisToDefinition on every sample', () => {
  it('covers every sample file and every Tardis type', () => {
    expect(SAMPLE_FILES.sort()).toEqual(Object.keys(EXPECTED).sort());
    const types = new Set(SAMPLE_FILES.map((f) => readSample(f).record.type));
    expect([...types].sort()).toEqual(['combo', 'future', 'option', 'perpetual', 'spot']);
  });

  it.each(SAMPLE_FILES)('%s: every field from the raw JSON (current, top-level values)', (file) => {
    const { record, raw } = readSample(file);
    const want = EXPECTED[file];
    if (want === undefined) throw new Error(`no expectation for ${file}`);
    const d = converted(record);
    const type = rawText(raw, 'type') ?? '';
    const spot = type === 'spot';
    const inverse = raw['inverse'];
    const optionType = rawText(raw, 'optionType');

    expect(validateDefinition(d)).toEqual([]);
    expect(d).toMatchObject({
      instrumentKey: want.key,
      venue: want.key.split(':')[0],
      instrumentType: TYPES[type],
      ccxtSymbol: want.key.split(':').slice(2).join(':'),
      ccxtExchange: '',
      baseAsset: want.base,
      quoteAsset: want.quote,
      settleAsset: want.settle,
      exchangeRawSymbol: rawText(raw, 'id'),
      tardisSymbol: rawText(raw, 'id'),
      tardisExchange: rawText(raw, 'exchange'),
      dataProvider: 'tardis',
      isLive: false,
      venueType: VenueType.VENUE_TYPE_CEX,
      assetClass: AssetClass.ASSET_CLASS_CRYPTO,
      active: raw['active'] === true,
      status: raw['active'] === true ? InstrumentStatus.INSTRUMENT_STATUS_TRADING : InstrumentStatus.INSTRUMENT_STATUS_HALTED,
      tickSize: decimalOf(rawText(raw, 'priceIncrement')),
      lotSize: decimalOf(rawText(raw, 'amountIncrement')),
      minSize: decimalOf(rawText(raw, 'minTradeAmount')),
      tradingFeesMaker: decimalOf(rawText(raw, 'makerFee')),
      tradingFeesTaker: decimalOf(rawText(raw, 'takerFee')),
      contractSize: spot ? '' : decimalOf(rawText(raw, 'contractMultiplier')),
      strike: decimalOf(rawText(raw, 'strikePrice')),
      optionType: optionType === 'put' ? OptionType.OPTION_TYPE_PUT
        : optionType === 'call' ? OptionType.OPTION_TYPE_CALL : OptionType.OPTION_TYPE_UNSPECIFIED,
      underlying: rawText(raw, 'underlyingIndex') ?? '',
      pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE,
      amountPrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE,
      maxSize: '',
      minNotional: '',
      exchangeStatus: '',
    });
    expect(d.availableFromDatetime).toEqual(timeOf(rawText(raw, 'availableSince')));
    expect(d.availableToDatetime).toEqual(timeOf(rawText(raw, 'availableTo')));
    expect(d.listingTime).toEqual(timeOf(rawText(raw, 'listing')));
    expect(d.expiry).toEqual(timeOf(rawText(raw, 'expiry')));
    expect(d.inverse).toBe(spot ? undefined : inverse === true);
    expect(d.linear).toBe(spot ? undefined : inverse !== true);
  });

  it('takes the current values, not those in changes (BTC_USDC tick 1, was 0.01)', () => {
    const { record } = readSample('deribit_BTC_USDC.json');
    expect(converted(record).tickSize).toBe('1');
    // The values last changed at the latest `until`.
    expect(converted(record).lastUpdated).toEqual(new Date('2024-04-02T12:10:00.000Z'));
  });
});

describe('status', () => {
  const future = readSample('deribit_BTC-14FEB25.json').record; // expiry 2025-02-14T08:00Z
  const status = (overrides: Partial<TardisInstrument>): Pick<InstrumentDefinition, 'active' | 'status' | 'availableToDatetime'> => {
    const { active, status: s, availableToDatetime } = converted({ ...future, ...overrides });
    return { active, status: s, availableToDatetime };
  };

  it('is TRADING or HALTED from active while the instrument is listed', () => {
    expect(status({})).toEqual({ active: true, status: InstrumentStatus.INSTRUMENT_STATUS_TRADING, availableToDatetime: undefined });
    expect(status({ active: false })).toEqual({ active: false, status: InstrumentStatus.INSTRUMENT_STATUS_HALTED, availableToDatetime: undefined });
  });

  it('is EXPIRED when inactive and its data ends on or after the expiry day', () => {
    for (const availableTo of ['2025-02-14T00:00:00.000Z', '2025-02-14T08:00:00.000Z', '2025-02-15T00:00:00.000Z']) {
      expect(status({ active: false, availableTo })).toEqual({
        active: false, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, availableToDatetime: new Date(availableTo),
      });
    }
  });

  it('is DELISTED when inactive with availableTo before the expiry day, or without an expiry', () => {
    expect(status({ active: false, availableTo: '2025-02-05T00:00:00.000Z' }).status).toBe(InstrumentStatus.INSTRUMENT_STATUS_DELISTED);
    const spot = readSample('deribit_BTC_USDC.json').record;
    const d = converted({ ...spot, active: false, availableTo: '2025-01-01T00:00:00.000Z' });
    expect(d.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_DELISTED);
  });
});

describe('records that do not convert', () => {
  const future = readSample('deribit_BTC-14FEB25.json').record;
  const reasonOf = (record: unknown): string => {
    const result = tardisToDefinition(record as TardisInstrument, OPTIONS);
    return result.ok ? 'converted' : result.reason;
  };

  it.each([
    ['Tardis exchange "nowhere" has no venue in the venue table', { ...future, exchange: 'nowhere' }],
    ['type "swap" is not one of spot, perpetual, future, option, combo', { ...future, type: 'swap' }],
    ['id is missing', { ...future, id: undefined }],
    ['priceIncrement "n/a" is not a number', { ...future, priceIncrement: 'n/a' }],
    ['a future needs an expiry', { ...future, expiry: undefined }],
    ['availableSince "yesterday" is not a time', { ...future, availableSince: 'yesterday' }],
    ['changes is not a list of entries with an "until" time', { ...future, changes: [{ priceIncrement: 1 }] }],
    ['an option needs strikePrice and optionType call or put', { ...future, type: 'option' }],
    ['no CCXT symbol rule for combo instruments of "okex-futures"', { ...future, exchange: 'okex-futures', type: 'combo' }],
  ])('%s', (reason, record) => {
    expect(reasonOf(record)).toBe(reason);
  });
});
