import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';

// The mirrored instruments and their secondary indexes. Every lookup is one Map.get, so callers can
// use it on an order path instead of calling the service. The indexes are kept in step with the
// primary map on every put/delete rather than rebuilt, so applying a batch costs its size, not the
// mirror's.

/** A NUL never occurs in venue codes, exchange ids or symbols, so joined pairs cannot collide. */
const pair = (a: string, b: string): string => `${a}\u0000${b}`;

/** Raised when a change cannot be applied: the stream is not one this mirror can follow. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
}

export class MirrorState {
  private byKey = new Map<string, InstrumentDefinition>();
  private ccxtIndex = new Map<string, InstrumentDefinition>();
  private rawIndex = new Map<string, InstrumentDefinition>();

  get size(): number {
    return this.byKey.size;
  }

  get(key: string): InstrumentDefinition | undefined {
    return this.byKey.get(key);
  }

  byCcxt(exchange: string, symbol: string): InstrumentDefinition | undefined {
    return this.ccxtIndex.get(pair(exchange, symbol));
  }

  byRaw(venue: string, rawSymbol: string): InstrumentDefinition | undefined {
    return this.rawIndex.get(pair(venue, rawSymbol));
  }

  /** A copy, so a caller iterating it never sees a batch applied half-way. */
  all(): InstrumentDefinition[] {
    return [...this.byKey.values()];
  }

  /**
   * Replaces everything with a complete snapshot. The new maps are built aside and swapped in, so
   * a lookup made while a re-list is being collected still answers from the previous state.
   */
  replaceAll(instruments: Iterable<InstrumentDefinition>): void {
    const next = new MirrorState();
    for (const d of instruments) next.put(d);
    this.byKey = next.byKey;
    this.ccxtIndex = next.ccxtIndex;
    this.rawIndex = next.rawIndex;
  }

  /**
   * Applies one change batch. Every change is checked before any is applied, so a malformed batch
   * leaves the state untouched (the caller then re-lists instead of drifting).
   */
  applyBatch(changes: readonly InstrumentChange[]): void {
    for (const c of changes) {
      const needsDefinition = c.changeType === ChangeType.CHANGE_TYPE_ADDED || c.changeType === ChangeType.CHANGE_TYPE_UPDATED;
      if (needsDefinition && c.instrument?.instrumentKey !== c.instrumentKey) {
        throw new ProtocolError(`change ${c.changeType} of "${c.instrumentKey}" carries no matching instrument`);
      }
      if (!needsDefinition && c.changeType !== ChangeType.CHANGE_TYPE_REMOVED) {
        throw new ProtocolError(`change of "${c.instrumentKey}" has unknown change_type ${c.changeType}`);
      }
    }
    for (const c of changes) {
      if (c.changeType === ChangeType.CHANGE_TYPE_REMOVED) this.delete(c.instrumentKey);
      else this.put(c.instrument as InstrumentDefinition);
    }
  }

  private put(d: InstrumentDefinition): void {
    // An update may change the symbols a definition is indexed under: drop the old entries first.
    this.delete(d.instrumentKey);
    this.byKey.set(d.instrumentKey, d);
    if (d.ccxtExchange !== '') this.ccxtIndex.set(pair(d.ccxtExchange, d.ccxtSymbol), d);
    this.rawIndex.set(pair(d.venue, d.exchangeRawSymbol), d);
  }

  private delete(key: string): void {
    const old = this.byKey.get(key);
    if (old === undefined) return;
    this.byKey.delete(key);
    // Only drop an index entry that still points at this key's definition: another instrument may
    // have taken the same symbol since (a relisting under a new key), and must stay reachable.
    const ccxt = pair(old.ccxtExchange, old.ccxtSymbol);
    if (this.ccxtIndex.get(ccxt) === old) this.ccxtIndex.delete(ccxt);
    const raw = pair(old.venue, old.exchangeRawSymbol);
    if (this.rawIndex.get(raw) === old) this.rawIndex.delete(raw);
  }
}
