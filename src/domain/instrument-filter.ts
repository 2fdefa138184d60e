import { createHash } from 'node:crypto';
import { InstrumentType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { InstrumentFilter } from '../../gen/ts/instruments/v1/instrument_service.js';
import { invalidArgument, quoted } from './service-error.js';

export interface KnownSources {
  venues: ReadonlySet<string>;
  ccxtExchanges: ReadonlySet<string>;
}

export type Predicate = (d: InstrumentDefinition) => boolean;

/** The predicate of an absent or empty filter: callers may skip filtering when they get it. */
export const MATCH_ALL: Predicate = () => true;

// TypeScript numeric enums map both ways; the named members with a positive value are the accepted types.
const ACCEPTED_TYPES = Object.entries(InstrumentType).filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0);
const TYPE_NAMES = ACCEPTED_TYPES.map(([name]) => name);
const VALID_TYPES = new Set<number>(ACCEPTED_TYPES.map(([, value]) => value));

function checkKnown(field: string, values: readonly string[], known: ReadonlySet<string>): void {
  const unknown = values.filter((v) => !known.has(v));
  if (unknown.length > 0) {
    // A few named, the rest counted: the message stays short whatever the request holds.
    const more = unknown.length > 3 ? ` and ${unknown.length - 3} more` : '';
    throw invalidArgument(
      `filter.${field} has ${unknown.slice(0, 3).map((v) => quoted(v)).join(', ')}${more}, not served here; accepted: ${[...known].sort().join(', ')}`,
    );
  }
}

/** Validates a filter against what this server serves and compiles it to a predicate. */
export function compileFilter(filter: InstrumentFilter | undefined, known: KnownSources): Predicate {
  if (filter === undefined) return MATCH_ALL;
  checkKnown('venues', filter.venues, known.venues);
  checkKnown('ccxt_exchanges', filter.ccxtExchanges, known.ccxtExchanges);
  const badType = filter.instrumentTypes.find((t) => !VALID_TYPES.has(t));
  if (badType !== undefined) {
    throw invalidArgument(`filter.instrument_types has ${String(badType)}; accepted: ${TYPE_NAMES.join(', ')}`);
  }
  const upper = (xs: readonly string[]): Set<string> => new Set(xs.map((x) => x.toUpperCase()));
  const venues = new Set(filter.venues);
  const exchanges = new Set(filter.ccxtExchanges);
  const types = new Set<number>(filter.instrumentTypes);
  const bases = upper(filter.baseAssets);
  const quotes = upper(filter.quoteAssets);
  const settles = upper(filter.settleAssets);
  const keys = new Set(filter.instrumentKeys);
  const active = filter.active;
  if ([venues, exchanges, types, bases, quotes, settles, keys].every((set) => set.size === 0) && active === undefined) return MATCH_ALL;
  return (d) =>
    (venues.size === 0 || venues.has(d.venue)) &&
    (exchanges.size === 0 || exchanges.has(d.ccxtExchange)) &&
    (types.size === 0 || types.has(d.instrumentType)) &&
    (bases.size === 0 || bases.has(d.baseAsset.toUpperCase())) &&
    (quotes.size === 0 || quotes.has(d.quoteAsset.toUpperCase())) &&
    (settles.size === 0 || settles.has(d.settleAsset.toUpperCase())) &&
    (keys.size === 0 || keys.has(d.instrumentKey)) &&
    (active === undefined || d.active === active);
}

/** A short digest of the filter, so a page token cannot be replayed with another filter. */
export function filterFingerprint(filter: InstrumentFilter | undefined): string {
  const f = filter ?? { venues: [], ccxtExchanges: [], instrumentTypes: [], baseAssets: [], quoteAssets: [], settleAssets: [], instrumentKeys: [] };
  const sorted = (xs: ReadonlyArray<string | number>): Array<string | number> => [...xs].sort();
  const canonical = JSON.stringify([
    sorted(f.venues), sorted(f.ccxtExchanges), sorted(f.instrumentTypes), sorted(f.baseAssets.map((x) => x.toUpperCase())),
    sorted(f.quoteAssets.map((x) => x.toUpperCase())), sorted(f.settleAssets.map((x) => x.toUpperCase())),
    sorted(f.instrumentKeys), 'active' in f ? f.active ?? null : null,
  ]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 12);
}
