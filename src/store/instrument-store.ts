import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { sourceRank } from '../domain/venues.js';
import { buildView, type StoreView } from './store-view.js';

export interface ApplyResult {
  revision: number;
  count: number;
}

/**
 * The instruments currently known, per source CCXT exchange, merged into one view by key.
 * Every applied batch gets the next revision. Reads go through `view()`.
 */
export class InstrumentStore {
  private readonly sources = new Map<string, Map<string, InstrumentDefinition>>();
  private current: StoreView = buildView(0, new Map(), []);

  view(): StoreView {
    return this.current;
  }

  get revision(): number {
    return this.current.revision;
  }

  countFor(ccxtExchange: string): number {
    return this.sources.get(ccxtExchange)?.size ?? 0;
  }

  /** Replaces everything one exchange provides with a fresh load. */
  replaceExchange(ccxtExchange: string, definitions: readonly InstrumentDefinition[]): ApplyResult {
    const byKey = new Map<string, InstrumentDefinition>();
    for (const d of definitions) byKey.set(d.instrumentKey, d);
    this.sources.set(ccxtExchange, byKey);
    this.current = buildView(this.current.revision + 1, this.merge(), [...this.sources.values()].map((m) => m.values()));
    return { revision: this.current.revision, count: byKey.size };
  }

  private merge(): Map<string, InstrumentDefinition> {
    const merged = new Map<string, InstrumentDefinition>();
    // Sources in a fixed order so that ties between equal ranks resolve the same way every time.
    const ids = [...this.sources.keys()].sort();
    for (const id of ids) {
      for (const [key, d] of this.sources.get(id) ?? []) {
        const existing = merged.get(key);
        if (existing === undefined || sourceRank(id, d.venue) < sourceRank(existing.ccxtExchange, existing.venue)) {
          merged.set(key, d);
        }
      }
    }
    return merged;
  }
}
