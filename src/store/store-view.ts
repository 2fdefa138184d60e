import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';

// One immutable state of the store at one revision. Readers take the current view once and read
// only from it, so a response (or a page) is consistent at its revision however the store moves on.

const SEP = '\u0000';
export const pairKey = (a: string, b: string): string => `${a}${SEP}${b}`;

export interface StoreView {
  /** Unique per view built in this process: what caches of derived data are keyed by. */
  readonly id: number;
  readonly revision: number;
  /** Merged view: one definition per instrument_key. */
  readonly byKey: ReadonlyMap<string, InstrumentDefinition>;
  /** Every key of byKey, sorted, for paging. */
  readonly sortedKeys: readonly string[];
  /** (ccxt exchange, ccxt symbol) → definition, from every source (not only the winning one). */
  readonly byCcxt: ReadonlyMap<string, InstrumentDefinition>;
  /** (venue, exchange raw symbol) → definition. */
  readonly byRaw: ReadonlyMap<string, InstrumentDefinition>;
  /** (tardis exchange, tardis symbol) → definition. */
  readonly byTardis: ReadonlyMap<string, InstrumentDefinition>;
}

let nextViewId = 1;

export function buildView(
  revision: number,
  merged: Map<string, InstrumentDefinition>,
  sources: Iterable<Iterable<InstrumentDefinition>> = [merged.values()],
): StoreView {
  const byCcxt = new Map<string, InstrumentDefinition>();
  for (const source of sources) {
    for (const d of source) if (d.ccxtExchange !== '') byCcxt.set(pairKey(d.ccxtExchange, d.ccxtSymbol), d);
  }
  const byRaw = new Map<string, InstrumentDefinition>();
  const byTardis = new Map<string, InstrumentDefinition>();
  for (const d of merged.values()) {
    byRaw.set(pairKey(d.venue, d.exchangeRawSymbol), d);
    if (d.tardisExchange !== '') byTardis.set(pairKey(d.tardisExchange, d.tardisSymbol), d);
  }
  const sortedKeys = [...merged.keys()].sort();
  return { id: nextViewId++, revision, byKey: merged, sortedKeys, byCcxt, byRaw, byTardis };
}
