import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { SourceView, type GetInstrumentRequest, type GetInstrumentResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { closeMatches } from '../domain/close-matches.js';
import { parseInstrumentKey } from '../domain/instrument-key.js';
import { invalidArgument, notFound, quoted } from '../domain/service-error.js';
import { pairKey, type StoreView } from '../store/store-view.js';
import { missError, type MissScope } from './availability.js';
import type { RpcContext } from './rpc-context.js';
import { sourceViewOf } from './source-view.js';

const LOOKUPS = 'instrument_key, ccxt {ccxt_exchange, ccxt_symbol}, raw {venue, exchange_raw_symbol} or tardis {tardis_exchange, tardis_symbol}';

interface Lookup {
  /** Names the lookup in an error; a function, so a hit (the hot path) never builds the text. */
  what: () => string;
  scope: MissScope;
  find: (view: StoreView) => InstrumentDefinition | undefined;
  query: string;
}

function requirePair(name: string, a: [string, string], b: [string, string]): void {
  const missing = [a, b].filter(([, v]) => v === '').map(([n]) => n);
  if (missing.length > 0) throw invalidArgument(`${name} lookup needs ${missing.join(' and ')}`);
}

function lookupOf(request: GetInstrumentRequest): Lookup {
  if (request.instrumentKey !== undefined && request.instrumentKey !== '') {
    const key = request.instrumentKey;
    const parsed = parseInstrumentKey(key);
    if ('error' in parsed) throw invalidArgument(parsed.error);
    return { what: () => `instrument ${quoted(key)}`, scope: { venue: parsed.venue }, find: (v) => v.byKey.get(key), query: key };
  }
  if (request.ccxt !== undefined) {
    const { ccxtExchange, ccxtSymbol } = request.ccxt;
    requirePair('ccxt', ['ccxt_exchange', ccxtExchange], ['ccxt_symbol', ccxtSymbol]);
    return {
      what: () => `ccxt symbol ${quoted(ccxtSymbol)} on ${quoted(ccxtExchange)}`, scope: { ccxtExchange },
      find: (v) => v.byCcxt.get(pairKey(ccxtExchange, ccxtSymbol)), query: ccxtSymbol,
    };
  }
  if (request.raw !== undefined) {
    const { venue, exchangeRawSymbol } = request.raw;
    requirePair('raw', ['venue', venue], ['exchange_raw_symbol', exchangeRawSymbol]);
    return {
      what: () => `raw symbol ${quoted(exchangeRawSymbol)} on venue ${quoted(venue)}`, scope: { venue },
      find: (v) => v.byRaw.get(pairKey(venue, exchangeRawSymbol)), query: exchangeRawSymbol,
    };
  }
  if (request.tardis !== undefined) {
    const { tardisExchange, tardisSymbol } = request.tardis;
    requirePair('tardis', ['tardis_exchange', tardisExchange], ['tardis_symbol', tardisSymbol]);
    return {
      what: () => `tardis symbol ${quoted(tardisSymbol)} on ${quoted(tardisExchange)}`, scope: {},
      find: (v) => v.byTardis.get(pairKey(tardisExchange, tardisSymbol)), query: tardisSymbol,
    };
  }
  throw invalidArgument(`name the instrument with one of ${LOOKUPS}`);
}

// The range of google.protobuf.Timestamp: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z (in ms).
const MIN_TIMESTAMP_MS = -62_135_596_800_000;
const MAX_TIMESTAMP_MS = 253_402_300_799_999;

function checkAsOf(asOf: Date): void {
  const ms = asOf.getTime();
  // Seconds far outside the range decode to an invalid Date (NaN), which toISOString() throws on.
  if (!(ms >= MIN_TIMESTAMP_MS && ms <= MAX_TIMESTAMP_MS)) {
    throw invalidArgument('as_of is outside the range of google.protobuf.Timestamp: give a time from 0001-01-01T00:00:00Z to 9999-12-31T23:59:59Z');
  }
}

export function getInstrument(ctx: RpcContext) {
  return (request: GetInstrumentRequest): GetInstrumentResponse => {
    const lookup = lookupOf(request);
    const kind = sourceViewOf(request.view);
    if (request.asOf !== undefined) checkAsOf(request.asOf);
    if (request.asOf !== undefined && kind === SourceView.SOURCE_VIEW_LIVE) {
      throw invalidArgument('as_of reads recorded history: use view SOURCE_VIEW_MERGED (default) or SOURCE_VIEW_HISTORICAL');
    }
    const view = ctx.store.readView(kind);
    const found = lookup.find(view);
    if (found === undefined) throw missError(lookup.what(), lookup.scope, ctx.exchanges, closeMatches(lookup.query, view.sortedKeys));
    if (request.asOf === undefined) return { instrument: found, revision: view.revision };
    const then = ctx.store.definitionAsOf(found.instrumentKey, request.asOf);
    if (then === undefined) {
      throw notFound(`${lookup.what()} has no recorded definition at ${request.asOf.toISOString()} (not available then, or no historical source records it)`);
    }
    return { instrument: then, revision: view.revision };
  };
}
