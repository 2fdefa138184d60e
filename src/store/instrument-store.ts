import { Subject, type Observable } from 'rxjs';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import { changedFields, diffOne } from '../domain/diff-definitions.js';
import { sourceRank } from '../domain/venues.js';
import { ChangeHistory, type HistoryLimits } from './change-history.js';
import { buildView, type StoreView } from './store-view.js';

export const DEFAULT_HISTORY: HistoryLimits = { maxBatches: 1000, maxChanges: 200_000 };

type Source = ReadonlyMap<string, InstrumentDefinition>;

/**
 * The instruments currently known, per source CCXT exchange, merged into one view by key.
 * Each refresh that changes what clients see is one batch under the next revision: the view is
 * swapped, the batch kept in a bounded history and published on `changes$`, in that order and
 * synchronously, so a reader that takes the view and subscribes in one tick misses nothing.
 */
export class InstrumentStore {
  private readonly sources = new Map<string, Source>();
  private current: StoreView = buildView(0, new Map(), []);
  private readonly history: ChangeHistory;
  private readonly subject = new Subject<ChangeBatchEvent>();
  readonly changes$: Observable<ChangeBatchEvent> = this.subject.asObservable();

  constructor(limits: HistoryLimits = DEFAULT_HISTORY) {
    this.history = new ChangeHistory(limits);
  }

  view(): StoreView {
    return this.current;
  }

  get revision(): number {
    return this.current.revision;
  }

  countFor(ccxtExchange: string): number {
    return this.sources.get(ccxtExchange)?.size ?? 0;
  }

  /** Batches after `revision` for a resuming watcher; undefined when compacted away. */
  changesSince(revision: number): ChangeBatchEvent[] | undefined {
    return this.history.since(revision);
  }

  get oldestResumableRevision(): number {
    return this.history.oldestResumable;
  }

  /**
   * Applies a fresh load of one exchange. Returns the batch it made, or undefined when nothing
   * visible changed (then no revision is used).
   */
  applyExchange(ccxtExchange: string, definitions: readonly InstrumentDefinition[], now: Date = new Date()): ChangeBatchEvent | undefined {
    const previous = this.sources.get(ccxtExchange) ?? new Map<string, InstrumentDefinition>();
    const next = new Map<string, InstrumentDefinition>();
    for (const d of definitions) {
      // An unchanged definition keeps its object (and so its last_updated: when it last changed).
      const old = previous.get(d.instrumentKey);
      next.set(d.instrumentKey, old !== undefined && changedFields(old, d).length === 0 ? old : d);
    }
    this.sources.set(ccxtExchange, next);

    const merged = new Map(this.current.byKey);
    const changes: InstrumentChange[] = [];
    for (const key of new Set([...previous.keys(), ...next.keys()])) {
      const before = this.current.byKey.get(key);
      const after = this.winner(key);
      const change = diffOne(key, before, after, now);
      if (change === undefined) continue;
      changes.push(change);
      if (after === undefined) merged.delete(key);
      else merged.set(key, after);
    }
    if (changes.length === 0) return undefined;

    const batch: ChangeBatchEvent = { revision: this.current.revision + 1, appliedAt: now, ccxtExchange, changes };
    this.current = buildView(batch.revision, merged, [...this.sources.values()].map((m) => m.values()));
    this.history.append(batch);
    this.subject.next(batch);
    return batch;
  }

  /** The definition served for a key: from the source ranked first for its venue. */
  private winner(key: string): InstrumentDefinition | undefined {
    let best: InstrumentDefinition | undefined;
    // Sorted ids so that equal ranks resolve the same way every time.
    for (const id of [...this.sources.keys()].sort()) {
      const d = this.sources.get(id)?.get(key);
      if (d !== undefined && (best === undefined || sourceRank(id, d.venue) < sourceRank(best.ccxtExchange, best.venue))) best = d;
    }
    return best;
  }

  /** Ends the change stream (shutdown). */
  close(): void {
    this.subject.complete();
  }
}
