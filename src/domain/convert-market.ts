import {
  AssetClass,
  InstrumentDefinition,
  InstrumentStatus,
  InstrumentType,
  OptionType,
  PrecisionMode,
  type TickSizeStep,
} from '../../gen/ts/instruments/v1/instrument.js';
import { unitsOf, venueContractSize } from './amount-units.js';
import { dataTypesOf, type ExchangeHas } from './data-types.js';
import { toPlainDecimal } from './decimal.js';
import { formatInstrumentKey } from './instrument-key.js';
import { amountModeOf, incrementRule } from './precision.js';
import type { Numeric, UnifiedMarket } from './unified-market.js';
import { resolveVenue } from './venues.js';

export interface ConvertContext {
  /** CCXT exchange id, e.g. "binanceusdm". */
  ccxtExchange: string;
  /** The exchange class's precisionMode. */
  precisionMode: number;
  /** When the markets were received. */
  receivedAt: Date;
  /** The exchange class's `has` table: which market data it can fetch (data_types). */
  has: ExchangeHas;
}

export type ConvertResult =
  | { ok: true; definition: InstrumentDefinition }
  | { ok: false; symbol: string; reason: string };

const DATA_PROVIDER_CCXT = 'ccxt';

// CCXT files Deribit's combos under future/option although they have no single strike or
// option type; the exchange's `kind` tells them apart.
function isCombo(info: Record<string, unknown>): boolean {
  const kind = info['kind'];
  return typeof kind === 'string' && kind.endsWith('_combo');
}

function instrumentTypeOf(m: UnifiedMarket): InstrumentType | undefined {
  if (isCombo(m.info ?? {})) return InstrumentType.INSTRUMENT_TYPE_COMBO;
  if (m.option) return InstrumentType.INSTRUMENT_TYPE_OPTION;
  if (m.future) return InstrumentType.INSTRUMENT_TYPE_FUTURE;
  if (m.swap) return InstrumentType.INSTRUMENT_TYPE_PERPETUAL;
  if (m.spot) return InstrumentType.INSTRUMENT_TYPE_SPOT;
  return undefined;
}

function timeOf(ms: Numeric): Date | undefined {
  const n = typeof ms === 'string' ? Number(ms) : ms;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  return new Date(n);
}

const dec = (v: Numeric): string => toPlainDecimal(v) ?? '';

// Deribit publishes price-dependent ticks for options; CCXT keeps them only in `info`.
function tickSizeSteps(info: Record<string, unknown>): TickSizeStep[] {
  const raw = info['tick_size_steps'];
  if (!Array.isArray(raw)) return [];
  const steps: TickSizeStep[] = [];
  for (const item of raw as Array<Record<string, unknown>>) {
    const abovePrice = toPlainDecimal(item['above_price']);
    const tickSize = toPlainDecimal(item['tick_size']);
    if (abovePrice !== undefined && tickSize !== undefined) steps.push({ abovePrice, tickSize });
  }
  return steps;
}

// Where CCXT's contractSize is lossy (OKX ctMult) the venue rule reads the raw response.
function contractSizeOf(m: UnifiedMarket, ccxtExchange: string): string {
  return venueContractSize(m, m.info, ccxtExchange) ?? dec(m.contractSize);
}

function exchangeStatus(info: Record<string, unknown>): string {
  for (const field of ['status', 'state', 'contractStatus', 'instrumentStatus']) {
    const v = info[field];
    if (typeof v === 'string' || typeof v === 'number') return String(v);
  }
  if (typeof info['is_active'] === 'boolean') return info['is_active'] ? 'active' : 'inactive';
  return '';
}

function underlyingOf(m: UnifiedMarket, type: InstrumentType): string {
  if (type === InstrumentType.INSTRUMENT_TYPE_SPOT) return '';
  for (const field of ['uly', 'underlying', 'pair', 'price_index', 'ticker']) {
    const v = m.info[field];
    if (typeof v === 'string' && v !== '') return v;
  }
  return m.base && m.quote ? `${m.base}/${m.quote}` : '';
}

// CCXT's own samples have markets with `info: null` or no `info` (Bybit, Binance, Gate dated
// contracts): read them as an empty raw entry rather than fail on them.
function withInfo(market: UnifiedMarket): UnifiedMarket {
  const info: unknown = market.info;
  return typeof info === 'object' && info !== null && !Array.isArray(info) ? market : { ...market, info: {} };
}

/** Converts one CCXT unified market; a market of a kind the contract has no type for is rejected. */
export function convertMarket(market: UnifiedMarket, ctx: ConvertContext): ConvertResult {
  const m = withInfo(market);
  const type = instrumentTypeOf(m);
  if (type === undefined) {
    return { ok: false, symbol: m.symbol, reason: `market type "${m.type ?? 'unknown'}" is not spot, swap, future or option` };
  }
  if (!m.symbol || !m.id) return { ok: false, symbol: m.symbol ?? '', reason: 'market has no symbol or id' };

  const shape = {
    id: m.id, spot: m.spot, swap: m.swap, future: m.future, option: m.option,
    linear: m.linear ?? undefined, inverse: m.inverse ?? undefined, info: m.info ?? {},
  };
  const venue = resolveVenue(ctx.ccxtExchange, shape);
  const price = incrementRule(m.precision?.price, ctx.precisionMode);
  const amount = incrementRule(m.precision?.amount, amountModeOf(ctx.ccxtExchange, ctx.precisionMode));
  const steps = tickSizeSteps(shape.info);
  const pricePrecisionMode = price === undefined
    ? PrecisionMode.PRECISION_MODE_UNSPECIFIED
    : steps.length > 0 && price.mode === PrecisionMode.PRECISION_MODE_TICK_SIZE
      ? PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS
      : price.mode;

  const isSpot = type === InstrumentType.INSTRUMENT_TYPE_SPOT;
  // Pre-listing markets come with empty fields (OKX "preopen"): keep them, say what is missing.
  const incomplete: string[] = [];
  if (price === undefined) incomplete.push('tick_size');
  if (amount === undefined) incomplete.push('lot_size');
  if (!m.base) incomplete.push('base_asset');
  if (!m.quote) incomplete.push('quote_asset');
  if (!isSpot && !m.settle) incomplete.push('settle_asset');
  const contractSize = isSpot ? '' : contractSizeOf(m, ctx.ccxtExchange);
  if (!isSpot && contractSize === '') incomplete.push('contract_size');
  const units = unitsOf(m, m.info, type, ctx.ccxtExchange, contractSize);
  // A dated contract without its expiry (an option without strike or side) is not one to trade
  // on: CCXT's own Binance samples drop them. Say so rather than serve it as complete.
  const dated = type === InstrumentType.INSTRUMENT_TYPE_FUTURE || type === InstrumentType.INSTRUMENT_TYPE_OPTION || type === InstrumentType.INSTRUMENT_TYPE_COMBO;
  if (dated && timeOf(m.expiry) === undefined) incomplete.push('expiry');
  if (type === InstrumentType.INSTRUMENT_TYPE_OPTION && dec(m.strike) === '') incomplete.push('strike');
  if (type === InstrumentType.INSTRUMENT_TYPE_OPTION && m.optionType !== 'call' && m.optionType !== 'put') incomplete.push('option_type');
  const active = m.active !== false;
  const status = incomplete.length > 0
    ? InstrumentStatus.INSTRUMENT_STATUS_INCOMPLETE
    : active ? InstrumentStatus.INSTRUMENT_STATUS_TRADING : InstrumentStatus.INSTRUMENT_STATUS_HALTED;

  const listing = timeOf(m.created);
  const optionType = m.optionType === 'call'
    ? OptionType.OPTION_TYPE_CALL
    : m.optionType === 'put' ? OptionType.OPTION_TYPE_PUT : OptionType.OPTION_TYPE_UNSPECIFIED;

  const definition: InstrumentDefinition = {
    ...InstrumentDefinition.fromPartial({}),
    instrumentKey: formatInstrumentKey(venue.venue, type, m.symbol),
    venue: venue.venue,
    instrumentType: type,
    availableFromDatetime: listing,
    availableToDatetime: undefined,
    baseAsset: m.base ?? '',
    quoteAsset: m.quote ?? '',
    // Dumps from other CCXT languages can say `false` for "none" (Indodax's sample).
    settleAsset: typeof m.settle === 'string' ? m.settle : '',
    exchangeRawSymbol: m.id,
    tardisSymbol: venue.tardisSymbol,
    tardisExchange: venue.tardisExchange,
    dataProvider: DATA_PROVIDER_CCXT,
    venueType: venue.venueType,
    assetClass: AssetClass.ASSET_CLASS_CRYPTO,
    isLive: true,
    lastUpdated: ctx.receivedAt,
    active,
    tickSize: price?.increment ?? '',
    minSize: dec(m.limits?.amount?.min),
    maxSize: dec(m.limits?.amount?.max),
    tradingFeesMaker: dec(m.maker),
    tradingFeesTaker: dec(m.taker),
    contractSize,
    ccxtExchange: ctx.ccxtExchange,
    ccxtSymbol: m.symbol,
    lotSize: amount?.increment ?? '',
    minNotional: dec(m.limits?.cost?.min),
    maxNotional: dec(m.limits?.cost?.max),
    pricePrecisionMode,
    priceSignificantDigits: price?.significantDigits ?? 0,
    tickSizeSteps: pricePrecisionMode === PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS ? steps : [],
    amountPrecisionMode: amount?.mode ?? PrecisionMode.PRECISION_MODE_UNSPECIFIED,
    amountSignificantDigits: amount?.significantDigits ?? 0,
    // CCXT says false/false when it cannot tell (pre-listing); unset says "unknown" honestly.
    linear: isSpot || (!m.linear && !m.inverse) ? undefined : Boolean(m.linear),
    inverse: isSpot || (!m.linear && !m.inverse) ? undefined : Boolean(m.inverse),
    expiry: isSpot || type === InstrumentType.INSTRUMENT_TYPE_PERPETUAL ? undefined : timeOf(m.expiry),
    strike: type === InstrumentType.INSTRUMENT_TYPE_OPTION ? dec(m.strike) : '',
    optionType,
    underlying: underlyingOf(m, type),
    listingTime: listing,
    status,
    exchangeStatus: exchangeStatus(shape.info),
    incompleteFields: incomplete,
    minPrice: dec(m.limits?.price?.min),
    maxPrice: dec(m.limits?.price?.max),
    amountUnit: units.amountUnit,
    contractSizeUnit: units.contractSizeUnit,
    dataTypes: dataTypesOf(ctx.has, type),
  };
  return { ok: true, definition };
}
