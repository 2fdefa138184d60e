import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { quoted } from './service-error.js';

// Key scheme: VENUE:TYPE:CCXT_SYMBOL, e.g. "BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT".
// Venue and type never contain ':', so the symbol is everything after the second ':' and may
// contain ':' itself (CCXT's settle suffix). CCXT symbols are unique per exchange and stable
// across refreshes, and the venue splits an exchange's product lines, so the key is unique.

export const KEY_TYPES = ['SPOT', 'PERPETUAL', 'FUTURE', 'OPTION', 'COMBO'] as const;
export type KeyType = (typeof KEY_TYPES)[number];

const TYPE_TO_ENUM: Record<KeyType, InstrumentType> = {
  SPOT: InstrumentType.INSTRUMENT_TYPE_SPOT,
  PERPETUAL: InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
  FUTURE: InstrumentType.INSTRUMENT_TYPE_FUTURE,
  OPTION: InstrumentType.INSTRUMENT_TYPE_OPTION,
  COMBO: InstrumentType.INSTRUMENT_TYPE_COMBO,
};

const VENUE_PATTERN = /^[A-Z0-9][A-Z0-9-]*$/;

export interface ParsedKey {
  venue: string;
  type: KeyType;
  instrumentType: InstrumentType;
  symbol: string;
}

export function keyTypeOf(type: InstrumentType): KeyType {
  const found = KEY_TYPES.find((k) => TYPE_TO_ENUM[k] === type);
  if (found === undefined) throw new RangeError(`no key type for instrument type ${type}`);
  return found;
}

export function formatInstrumentKey(venue: string, type: InstrumentType, ccxtSymbol: string): string {
  return `${venue}:${keyTypeOf(type)}:${ccxtSymbol}`;
}

/** Parses a key; returns a message saying what is wrong instead when it is malformed. */
export function parseInstrumentKey(key: string): ParsedKey | { error: string } {
  const first = key.indexOf(':');
  const second = first < 0 ? -1 : key.indexOf(':', first + 1);
  if (first < 0 || second < 0) {
    return { error: `instrument_key ${quoted(key)} is malformed: expected VENUE:TYPE:SYMBOL, e.g. "BINANCE-SPOT:SPOT:BTC/USDT"` };
  }
  const venue = key.slice(0, first);
  const type = key.slice(first + 1, second);
  const symbol = key.slice(second + 1);
  if (!VENUE_PATTERN.test(venue)) {
    return { error: `instrument_key ${quoted(key)} has venue ${quoted(venue)}: a venue is upper-case letters, digits and '-', e.g. "BINANCE-SPOT"` };
  }
  if (!(KEY_TYPES as readonly string[]).includes(type)) {
    return { error: `instrument_key ${quoted(key)} has type ${quoted(type)}: accepted types are ${KEY_TYPES.join(', ')}` };
  }
  if (symbol.length === 0) {
    return { error: `instrument_key ${quoted(key)} has no symbol after VENUE:TYPE:` };
  }
  const keyType = type as KeyType;
  return { venue, type: keyType, instrumentType: TYPE_TO_ENUM[keyType], symbol };
}
