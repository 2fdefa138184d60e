import { VenueType } from '../../gen/ts/instruments/v1/instrument.js';

// The VENUE ↔ CCXT id ↔ Tardis exchange table. One CCXT exchange may serve several venues
// (CCXT's "binance" loads spot, USD-M and COIN-M), and several CCXT ids may serve one venue
// (binance and binanceusdm both serve BINANCE-FUTURES): the venue follows the product line, so
// the same contract gets the same instrument_key whichever CCXT id loaded it.

export type ProductLine = 'spot' | 'linear' | 'inverse' | 'option';

export interface VenueInfo {
  venue: string;
  /** Tardis.dev exchange id, when Tardis covers this venue. */
  tardisExchange?: string;
}

interface FamilyRule {
  venueType: VenueType;
  lines: Partial<Record<ProductLine, VenueInfo>> & { default: VenueInfo };
  /** Tardis symbol when not the upper-cased exchange id. */
  tardisSymbol?: (id: string, info: Record<string, unknown>) => string | undefined;
}

const cex = VenueType.VENUE_TYPE_CEX;
const dex = VenueType.VENUE_TYPE_DEX;

const BINANCE: FamilyRule = {
  venueType: cex,
  lines: {
    default: { venue: 'BINANCE-SPOT', tardisExchange: 'binance' },
    linear: { venue: 'BINANCE-FUTURES', tardisExchange: 'binance-futures' },
    inverse: { venue: 'BINANCE-DELIVERY', tardisExchange: 'binance-delivery' },
    option: { venue: 'BINANCE-OPTIONS', tardisExchange: 'binance-european-options' },
  },
};

const FAMILIES: Record<string, FamilyRule> = {
  binance: BINANCE,
  binanceusdm: BINANCE,
  binancecoinm: BINANCE,
  deribit: { venueType: cex, lines: { default: { venue: 'DERIBIT', tardisExchange: 'deribit' } } },
  okx: {
    venueType: cex,
    lines: { default: { venue: 'OKX', tardisExchange: 'okex' } },
  },
  bybit: {
    venueType: cex,
    lines: {
      default: { venue: 'BYBIT-SPOT', tardisExchange: 'bybit-spot' },
      linear: { venue: 'BYBIT', tardisExchange: 'bybit' },
      inverse: { venue: 'BYBIT', tardisExchange: 'bybit' },
      option: { venue: 'BYBIT-OPTIONS', tardisExchange: 'bybit-options' },
    },
  },
  mexc: {
    venueType: cex,
    lines: { default: { venue: 'MEXC-SPOT' }, linear: { venue: 'MEXC-FUTURES' }, inverse: { venue: 'MEXC-FUTURES' } },
  },
  dydx: { venueType: dex, lines: { default: { venue: 'DYDX-V4', tardisExchange: 'dydx-v4' } } },
  kraken: {
    venueType: cex,
    lines: { default: { venue: 'KRAKEN', tardisExchange: 'kraken' } },
    tardisSymbol: (_id, info) => (typeof info['wsname'] === 'string' ? info['wsname'].toUpperCase() : undefined),
  },
  krakenfutures: { venueType: cex, lines: { default: { venue: 'KRAKEN-FUTURES', tardisExchange: 'cryptofacilities' } } },
  bitfinex: {
    venueType: cex,
    lines: {
      default: { venue: 'BITFINEX', tardisExchange: 'bitfinex' },
      linear: { venue: 'BITFINEX-DERIVATIVES', tardisExchange: 'bitfinex-derivatives' },
    },
  },
  bitmex: { venueType: cex, lines: { default: { venue: 'BITMEX', tardisExchange: 'bitmex' } } },
  coinbase: { venueType: cex, lines: { default: { venue: 'COINBASE', tardisExchange: 'coinbase' } } },
  bitstamp: { venueType: cex, lines: { default: { venue: 'BITSTAMP', tardisExchange: 'bitstamp' } } },
  kucoin: { venueType: cex, lines: { default: { venue: 'KUCOIN', tardisExchange: 'kucoin' } } },
  kucoinfutures: { venueType: cex, lines: { default: { venue: 'KUCOIN-FUTURES', tardisExchange: 'kucoin-futures' } } },
  gate: {
    venueType: cex,
    lines: {
      default: { venue: 'GATE-IO', tardisExchange: 'gate-io' },
      linear: { venue: 'GATE-IO-FUTURES', tardisExchange: 'gate-io-futures' },
      inverse: { venue: 'GATE-IO-FUTURES', tardisExchange: 'gate-io-futures' },
    },
  },
  hyperliquid: { venueType: dex, lines: { default: { venue: 'HYPERLIQUID', tardisExchange: 'hyperliquid' } } },
  apex: { venueType: dex, lines: { default: { venue: 'APEX' } } },
  aster: { venueType: dex, lines: { default: { venue: 'ASTER' } } },
};
FAMILIES['gateio'] = FAMILIES['gate'] as FamilyRule;
FAMILIES['okex'] = FAMILIES['okx'] as FamilyRule;

const OKX_TARDIS: Record<ProductLine | 'future' | 'swap', string> = {
  spot: 'okex', linear: 'okex-swap', inverse: 'okex-swap', swap: 'okex-swap', future: 'okex-futures', option: 'okex-options',
};

export interface MarketShape {
  id: string;
  spot: boolean;
  swap: boolean;
  future: boolean;
  option: boolean;
  linear: boolean | undefined;
  inverse: boolean | undefined;
  info: Record<string, unknown>;
}

export interface ResolvedVenue {
  venue: string;
  venueType: VenueType;
  tardisExchange: string;
  tardisSymbol: string;
}

function productLine(m: MarketShape): ProductLine {
  if (m.option) return 'option';
  if (m.spot) return 'spot';
  if (m.inverse === true) return 'inverse';
  return 'linear';
}

function fallbackRule(ccxtId: string): FamilyRule {
  return { venueType: cex, lines: { default: { venue: ccxtId.toUpperCase().replace(/[^A-Z0-9]/g, '-') } } };
}

export function resolveVenue(ccxtId: string, market: MarketShape): ResolvedVenue {
  const rule = FAMILIES[ccxtId] ?? fallbackRule(ccxtId);
  const line = productLine(market);
  const info = rule.lines[line] ?? rule.lines.default;
  let tardisExchange = info.tardisExchange ?? '';
  if (rule === FAMILIES['okx']) {
    tardisExchange = market.future ? OKX_TARDIS.future : OKX_TARDIS[line];
  }
  const tardisSymbol = tardisExchange === ''
    ? ''
    : (rule.tardisSymbol?.(market.id, market.info) ?? market.id.toUpperCase());
  return { venue: info.venue, venueType: rule.venueType, tardisExchange, tardisSymbol };
}

/** Venues a CCXT exchange can serve, for status and for telling "not loaded yet" from "unknown". */
export function venuesOfExchange(ccxtId: string): string[] {
  const rule = FAMILIES[ccxtId] ?? fallbackRule(ccxtId);
  const all = Object.values(rule.lines).map((v) => v.venue);
  return [...new Set(all)];
}

// When two loaded CCXT ids give the same key, the one dedicated to the venue wins
// (binanceusdm over binance's copy of USD-M), so a key's source does not flip between loads.
const PRIMARY_SOURCE: Record<string, string> = {
  'BINANCE-SPOT': 'binance',
  'BINANCE-FUTURES': 'binanceusdm',
  'BINANCE-DELIVERY': 'binancecoinm',
  'BINANCE-OPTIONS': 'binance',
};

/** 0 when ccxtId is the venue's primary source (or the venue has none), 1 otherwise. */
export function sourceRank(ccxtId: string, venue: string): number {
  const primary = PRIMARY_SOURCE[venue];
  return primary === undefined || primary === ccxtId ? 0 : 1;
}

export interface TardisExchangeVenue {
  venue: string;
  venueType: VenueType;
  /** CCXT ids whose table entry serves the venue, the venue's primary source first. */
  ccxtIds: string[];
}

/** The venue of a Tardis.dev exchange id (the table read backwards); undefined when no venue maps to it. */
export function venueOfTardisExchange(tardisExchange: string): TardisExchangeVenue | undefined {
  let found: TardisExchangeVenue | undefined;
  for (const [ccxtId, rule] of Object.entries(FAMILIES)) {
    // OKX's one venue spans several Tardis exchanges, kept outside its line table.
    const info = rule === FAMILIES['okx']
      ? (Object.values(OKX_TARDIS).includes(tardisExchange) ? rule.lines.default : undefined)
      : Object.values(rule.lines).find((l) => l.tardisExchange === tardisExchange);
    if (info === undefined) continue;
    found ??= { venue: info.venue, venueType: rule.venueType, ccxtIds: [] };
    found.ccxtIds.push(ccxtId);
  }
  found?.ccxtIds.sort((a, b) => sourceRank(a, found.venue) - sourceRank(b, found.venue));
  return found;
}
