import {
  AssetClass,
  InstrumentDefinition,
  InstrumentStatus,
  InstrumentType,
  OptionType,
  PrecisionMode,
} from '../../gen/ts/instruments/v1/instrument.js';
import { toPlainDecimal } from './decimal.js';
import { formatInstrumentKey } from './instrument-key.js';
import { TARDIS_TYPES, type TardisInstrument, type TardisType } from './tardis-instrument.js';
import { venueOfTardisExchange } from './venues.js';

// Tardis.dev instrument records as InstrumentDefinitions (historical, is_live = false). The
// instrument_key is the one the live CCXT path gives the same instrument, VENUE:TYPE:CCXT_SYMBOL,
// so the two sources merge by key.

export interface TardisOptions {
  /** Recorded as data_provider, e.g. "tardis". */
  dataProvider: string;
}

export type TardisResult = { ok: true; definition: InstrumentDefinition } | { ok: false; reason: string };

const TYPES: Record<TardisType, InstrumentType> = {
  spot: InstrumentType.INSTRUMENT_TYPE_SPOT,
  perpetual: InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
  future: InstrumentType.INSTRUMENT_TYPE_FUTURE,
  option: InstrumentType.INSTRUMENT_TYPE_OPTION,
  combo: InstrumentType.INSTRUMENT_TYPE_COMBO,
};

const DAY_MS = 86_400_000;

function timeOf(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

const dec = (value: unknown): string => toPlainDecimal(value) ?? '';
const isDated = (type: TardisType): boolean => type === 'future' || type === 'option' || type === 'combo';

/** Why a record (from outside, unchecked) cannot be converted; undefined when it can. */
function problemOf(r: TardisInstrument): string | undefined {
  if (typeof r !== 'object' || r === null) return 'record is not an object';
  for (const field of ['id', 'exchange', 'baseCurrency', 'quoteCurrency'] as const) {
    if (typeof r[field] !== 'string' || r[field] === '') return `${field} is missing`;
  }
  if (!TARDIS_TYPES.includes(r.type)) return `type ${JSON.stringify(r.type)} is not one of ${TARDIS_TYPES.join(', ')}`;
  if (typeof r.active !== 'boolean') return 'active is not a boolean';
  if (timeOf(r.availableSince) === undefined) return `availableSince ${JSON.stringify(r.availableSince)} is not a time`;
  for (const field of ['availableTo', 'listing', 'expiry'] as const) {
    if (r[field] != null && timeOf(r[field]) === undefined) return `${field} ${JSON.stringify(r[field])} is not a time`;
  }
  for (const field of ['priceIncrement', 'amountIncrement'] as const) {
    if (toPlainDecimal(r[field]) === undefined) return `${field} ${JSON.stringify(r[field])} is not a number`;
  }
  if (r.settlementCurrency != null && typeof r.settlementCurrency !== 'string') return 'settlementCurrency is not a string';
  if (isDated(r.type) && timeOf(r.expiry) === undefined) return `a ${r.type} needs an expiry`;
  if (r.type === 'option' && (toPlainDecimal(r.strikePrice) === undefined || (r.optionType !== 'call' && r.optionType !== 'put'))) {
    return 'an option needs strikePrice and optionType call or put';
  }
  if (r.changes != null && (!Array.isArray(r.changes) || !r.changes.every((c) => timeOf(c?.until) !== undefined))) {
    return 'changes is not a list of entries with an "until" time';
  }
  return undefined;
}

// Deribit gives inverse options the premium coin as quote (BTC) where CCXT uses the counter
// currency (USD); the instrument name carries it: "BTC-…" is USD, "XRP_USDC-…" is USDC.
function deribitCounterCurrency(id: string): string {
  const prefix = id.split('-')[0] ?? '';
  const underscore = prefix.indexOf('_');
  return underscore < 0 ? 'USD' : prefix.slice(underscore + 1);
}

const yymmdd = (d: Date): string => d.toISOString().slice(2, 10).replaceAll('-', '');

// Deribit writes a decimal point in names as "d" (XRP_USDC-28NOV25-2d5-C); Tardis' convention is
// upper-cased symbols, so the exchange's own id gets it back (a digit-D-digit is never a date).
const nativeIdOf = (r: TardisInstrument): string => (r.exchange === 'deribit' ? r.id.replace(/(\d)D(?=\d)/g, '$1d') : r.id);

/** CCXT's unified symbol; undefined for combos outside Deribit (no CCXT rule known for them). */
function ccxtSymbolOf(r: TardisInstrument, base: string, quote: string, settle: string, expiry: Date | undefined): string | undefined {
  // CCXT names Deribit combos by their exchange id.
  if (r.type === 'combo') return r.exchange === 'deribit' ? nativeIdOf(r) : undefined;
  if (r.type === 'spot') return `${base}/${quote}`;
  let symbol = `${base}/${quote}:${settle}`;
  if (expiry !== undefined) symbol += `-${yymmdd(expiry)}`;
  if (r.type === 'option') symbol += `-${dec(r.strikePrice)}-${r.optionType === 'call' ? 'C' : 'P'}`;
  return symbol;
}

interface Lifecycle {
  active: boolean;
  status: InstrumentStatus;
  availableTo: Date | undefined;
}

const S = InstrumentStatus;

// Tardis dates availability by UTC day (availableSince is the listing day's midnight), so data
// ending on or after the expiry's day means the instrument ended by expiring.
function endedByExpiry(expiry: Date | undefined, end: Date): boolean {
  return expiry !== undefined && expiry.getTime() < Math.floor(end.getTime() / DAY_MS) * DAY_MS + DAY_MS;
}

function currentLifecycle(active: boolean, expiry: Date | undefined, to: Date | undefined): Lifecycle {
  if (active) return { active, status: S.INSTRUMENT_STATUS_TRADING, availableTo: to };
  if (to === undefined) return { active, status: S.INSTRUMENT_STATUS_HALTED, availableTo: undefined };
  return { active, status: endedByExpiry(expiry, to) ? S.INSTRUMENT_STATUS_EXPIRED : S.INSTRUMENT_STATUS_DELISTED, availableTo: to };
}

function lifecycleAt(time: Date, active: boolean, expiry: Date | undefined, to: Date | undefined): Lifecycle {
  const ended = to !== undefined && time >= to;
  if (expiry !== undefined && time >= expiry) {
    return { active: false, status: S.INSTRUMENT_STATUS_EXPIRED, availableTo: ended ? to : undefined };
  }
  if (ended) return currentLifecycle(false, expiry, to);
  // Listed at `time`: one that has ended since was tradable then; otherwise its flag is current.
  if (to !== undefined) return { active: true, status: S.INSTRUMENT_STATUS_TRADING, availableTo: undefined };
  return currentLifecycle(active, expiry, undefined);
}

/** When the values in force at `at` (default: the current ones) took effect. */
function effectiveSince(r: TardisInstrument, at: Date | undefined): Date | undefined {
  let latest = timeOf(r.availableSince);
  for (const change of r.changes ?? []) {
    const until = timeOf(change.until);
    if (until !== undefined && (at === undefined || until <= at) && (latest === undefined || until > latest)) latest = until;
  }
  return latest;
}

function convert(r: TardisInstrument, options: TardisOptions, at: Date | undefined): TardisResult {
  const problem = problemOf(r);
  if (problem !== undefined) return { ok: false, reason: problem };
  const venue = venueOfTardisExchange(r.exchange);
  if (venue === undefined) return { ok: false, reason: `Tardis exchange "${r.exchange}" has no venue in the venue table` };

  const spot = r.type === 'spot';
  const base = r.baseCurrency.toUpperCase();
  const quote = r.exchange === 'deribit' && !spot ? deribitCounterCurrency(r.id) : r.quoteCurrency.toUpperCase();
  const settle = spot ? '' : (r.settlementCurrency ?? (r.inverse === true ? base : quote)).toUpperCase();
  const expiry = isDated(r.type) ? timeOf(r.expiry) : undefined;
  const symbol = ccxtSymbolOf(r, base, quote, settle, expiry);
  if (symbol === undefined) return { ok: false, reason: `no CCXT symbol rule for ${r.type} instruments of "${r.exchange}"` };
  const to = timeOf(r.availableTo);
  const life = at === undefined ? currentLifecycle(r.active, expiry, to) : lifecycleAt(at, r.active, expiry, to);
  const type = TYPES[r.type];
  const option = r.type === 'option';
  // A quanto contract (BitMEX ETHUSD) is neither linear nor inverse; CCXT leaves both unset too.
  const margined = !spot && r.quanto !== true;

  const definition: InstrumentDefinition = {
    ...InstrumentDefinition.fromPartial({}),
    instrumentKey: formatInstrumentKey(venue.venue, type, symbol),
    venue: venue.venue,
    instrumentType: type,
    availableFromDatetime: timeOf(r.availableSince),
    availableToDatetime: life.availableTo,
    baseAsset: base,
    quoteAsset: quote,
    settleAsset: settle,
    exchangeRawSymbol: nativeIdOf(r),
    tardisSymbol: r.id.toUpperCase(),
    tardisExchange: r.exchange,
    dataProvider: options.dataProvider,
    venueType: venue.venueType,
    assetClass: AssetClass.ASSET_CLASS_CRYPTO,
    isLive: false,
    lastUpdated: effectiveSince(r, at),
    active: life.active,
    tickSize: dec(r.priceIncrement),
    minSize: dec(r.minTradeAmount),
    tradingFeesMaker: dec(r.makerFee),
    tradingFeesTaker: dec(r.takerFee),
    contractSize: spot ? '' : dec(r.contractMultiplier),
    ccxtSymbol: symbol,
    lotSize: dec(r.amountIncrement),
    pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE,
    amountPrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE,
    linear: margined ? r.inverse !== true : undefined,
    inverse: margined ? r.inverse === true : undefined,
    expiry,
    strike: option ? dec(r.strikePrice) : '',
    optionType: !option ? OptionType.OPTION_TYPE_UNSPECIFIED
      : r.optionType === 'call' ? OptionType.OPTION_TYPE_CALL : OptionType.OPTION_TYPE_PUT,
    underlying: !spot && typeof r.underlyingIndex === 'string' ? r.underlyingIndex : '',
    listingTime: timeOf(r.listing),
    status: life.status,
  };
  return { ok: true, definition };
}

/** The record's current definition (its top-level values); a record that cannot be converted says why. */
export function tardisToDefinition(record: TardisInstrument, options: TardisOptions): TardisResult {
  return convert(record, options, undefined);
}

/**
 * The definition in force at `time`: each field from the earliest `changes` entry after `time`
 * that names it, else its current value. Undefined before availableSince, or when the record
 * cannot be converted (tardisToDefinition says why).
 */
export function tardisDefinitionAsOf(record: TardisInstrument, time: Date, options: TardisOptions): InstrumentDefinition | undefined {
  if (problemOf(record) !== undefined) return undefined;
  const since = timeOf(record.availableSince);
  if (since === undefined || time < since) return undefined;
  const later = (record.changes ?? [])
    .filter((c) => time.getTime() < Date.parse(c.until))
    .sort((a, b) => Date.parse(b.until) - Date.parse(a.until));
  // Latest first, so that the earliest entry after `time` is applied last and wins.
  const values: TardisInstrument = { ...record };
  for (const change of later) Object.assign(values, Object.fromEntries(Object.entries(change).filter(([k]) => k !== 'until')));
  const result = convert(values, options, time);
  return result.ok ? result.definition : undefined;
}
