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

/** Keys of the previous view and what a batch added and removed: enough to keep the order. */
export interface KeyChanges {
  previous: readonly string[];
  added: readonly string[];
  removed: ReadonlySet<string>;
}

/**
 * The sorted keys after a batch: the previous order with the removed keys dropped and the added
 * ones merged in, linear in the keys instead of a sort (~100 ms at 100,000 keys).
 */
export function mergeSortedKeys({ previous, added, removed }: KeyChanges): string[] {
  if (added.length === 0 && removed.size === 0) return previous as string[];
  const incoming = [...added].sort();
  const out: string[] = [];
  let j = 0;
  for (const key of previous) {
    if (removed.has(key)) continue;
    while (j < incoming.length && (incoming[j] as string) < key) out.push(incoming[j++] as string);
    out.push(key);
  }
  while (j < incoming.length) out.push(incoming[j++] as string);
  return out;
}

export function buildView(
  revision: number,
  merged: Map<string, InstrumentDefinition>,
  sources: Iterable<Iterable<InstrumentDefinition>> = [merged.values()],
  keyChanges?: KeyChanges,
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
  const sortedKeys = keyChanges === undefined ? [...merged.keys()].sort() : mergeSortedKeys(keyChanges);
  return { id: nextViewId++, revision, byKey: merged, sortedKeys, byCcxt, byRaw, byTardis };
}
