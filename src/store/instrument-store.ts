import { Subject, type Observable } from 'rxjs';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, SourceView, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import { changedFields, diffOne } from '../domain/diff-definitions.js';
import { mergeDefinitions } from '../domain/merge-definitions.js';
import { statusAt } from '../domain/status-at.js';
import { sourceRank } from '../domain/venues.js';
import { ChangeHistory, type HistoryLimits } from './change-history.js';
import { HistoricalLayer, type HistoricalEntry } from './historical-layer.js';
import { buildView, type StoreView } from './store-view.js';

export const DEFAULT_HISTORY: HistoryLimits = { maxBatches: 1000, maxChanges: 200_000 };

type Source = ReadonlyMap<string, InstrumentDefinition>;

/** Called with each batch and the exchange's new source before the batch is published. */
export type PersistHook = (batch: ChangeBatchEvent, source: Source) => void;

/** One exchange's load as a change to the store: what its source gains and loses, what watchers see. */
export interface PreparedDelta {
  ccxtExchange: string;
  /** The exchange's definitions that are new or changed (stale flags cleared count). */
  upserts: InstrumentDefinition[];
  /** The exchange's keys no longer listed. */
  removedKeys: string[];
  /** Changes to the served view; empty when only the source moves. */
  changes: InstrumentChange[];
  appliedAt: Date;
}

export interface RestoredStore {
  revision: number;
  sources: ReadonlyMap<string, readonly InstrumentDefinition[]>;
  history: readonly ChangeBatchEvent[];
  oldestResumable: number;
  retired: readonly InstrumentDefinition[];
}

/**
 * The instruments known, per source CCXT exchange, merged into one live view by key. Each
 * refresh that changes the live view is one batch under the next revision: the view is swapped,
 * the batch persisted (hook), kept in a bounded history and published on `changes$`, in that
 * order and synchronously, so a reader that takes the view and subscribes in one tick misses
 * nothing. Beside the live view, a historical layer (Tardis files, retired instruments) gives the
 * historical and merged views.
 */
export class InstrumentStore {
  private readonly sources = new Map<string, Source>();
  /** Per source: the objects its last load was applied with, by key (see applyExchange). */
  private readonly inputs = new Map<string, ReadonlyMap<string, InstrumentDefinition>>();
  /** Source ids, sorted so that equal ranks resolve the same way every time. */
  private sourceIds: string[] = [];
  private current: StoreView = buildView(0, new Map(), []);
  private readonly history: ChangeHistory;
  private readonly historical = new HistoricalLayer();
  private readonly subject = new Subject<ChangeBatchEvent>();
  private readonly views = new Map<SourceView, { key: string; view: StoreView }>();
  readonly changes$: Observable<ChangeBatchEvent> = this.subject.asObservable();
  persist: PersistHook | undefined;

  /**
   * `historyFallback` false keeps history out of the default (merged) view: it is then the live
   * view, and history is reached only through the historical view and as_of.
   */
  constructor(limits: HistoryLimits = DEFAULT_HISTORY, private readonly historyFallback = true) {
    this.history = new ChangeHistory(limits);
  }

  /** The live view: what the exchanges list now, at the current revision. */
  view(): StoreView {
    return this.current;
  }

  /**
   * The view a read asked for. Merged (the default of every read) is built when the state changes
   * (see rebuildViews), so no request pays for it; with no history it is the live view itself.
   * The historical view is built on first use per state.
   */
  readView(kind: SourceView): StoreView {
    if (kind === SourceView.SOURCE_VIEW_LIVE) return this.current;
    if (kind === SourceView.SOURCE_VIEW_MERGED && (this.historical.isEmpty || !this.historyFallback)) return this.current;
    const stateKey = `${this.current.revision}:${this.historical.version}`;
    const cached = this.views.get(kind);
    if (cached?.key === stateKey) return cached.view;
    const history = this.historical.definitions();
    let byKey: Map<string, InstrumentDefinition>;
    if (kind === SourceView.SOURCE_VIEW_HISTORICAL) {
      byKey = new Map(history);
    } else {
      byKey = new Map();
      for (const key of new Set([...this.current.byKey.keys(), ...history.keys()])) {
        byKey.set(key, mergeDefinitions(this.current.byKey.get(key), history.get(key)) as InstrumentDefinition);
      }
    }
    // Every live source stays reachable by its own CCXT id; the served definitions come last, so
    // a key's winner is indexed in its merged (history-filled) form.
    const ccxtSources = kind === SourceView.SOURCE_VIEW_HISTORICAL ? [byKey.values()] : [...[...this.sources.values()].map((m) => m.values()), byKey.values()];
    const view = buildView(this.current.revision, byKey, ccxtSources);
    this.views.set(kind, { key: stateKey, view });
    return view;
  }

  get revision(): number {
    return this.current.revision;
  }

  countFor(ccxtExchange: string): number {
    return this.sources.get(ccxtExchange)?.size ?? 0;
  }

  sourceOf(ccxtExchange: string): Source {
    return this.sources.get(ccxtExchange) ?? new Map();
  }

  /** Batches after `revision` for a resuming watcher; undefined when compacted away. */
  changesSince(revision: number): ChangeBatchEvent[] | undefined {
    return this.history.since(revision);
  }

  get oldestResumableRevision(): number {
    return this.history.oldestResumable;
  }

  setHistorical(entries: readonly HistoricalEntry[]): void {
    this.historical.replaceEntries(entries);
    this.rebuildViews();
  }

  retiredDefinitions(): InstrumentDefinition[] {
    return this.historical.retiredDefinitions();
  }

  definitionAsOf(key: string, time: Date): InstrumentDefinition | undefined {
    return this.historical.asOf(key, time);
  }

  /**
   * What the service knew before it stopped: served at once, marked stale until each exchange's
   * first refresh, continuing the revision sequence. Publishes nothing. Takes ownership of the
   * definitions (marks them stale).
   */
  restore(state: RestoredStore, { markStale = true }: { markStale?: boolean } = {}): void {
    // The restored definitions are fresh objects nobody else holds: marked stale in place, which
    // at 100,000 instruments saves a copy of each. (Redis mode's shared snapshot is what the
    // leaders serve now, so it is taken as it is.)
    // A replica reloading the shared snapshot replaces what it had.
    this.sources.clear();
    this.sourceIds = [];
    this.inputs.clear();
    for (const [id, definitions] of state.sources) {
      if (markStale) for (const d of definitions) d.stale = true;
      this.setSource(id, new Map(definitions.map((d) => [d.instrumentKey, d])));
    }
    // Also the retired ones: an instrument relisted since this store last saw it is retired no more.
    this.historical.replaceRetired(state.retired);
    const merged = new Map<string, InstrumentDefinition>();
    for (const id of this.sourceIds) {
      for (const d of this.sources.get(id)?.values() ?? []) {
        const best = merged.get(d.instrumentKey);
        if (best === undefined || sourceRank(id, d.venue) < sourceRank(best.ccxtExchange, best.venue)) merged.set(d.instrumentKey, d);
      }
    }
    this.current = buildView(state.revision, merged, [...this.sources.values()].map((m) => m.values()));
    this.history.restore(state.history, state.oldestResumable);
    this.rebuildViews();
  }

  /**
   * Applies a fresh load of one exchange. Returns the batch it made, or undefined when nothing
   * visible changed (then no revision is used).
   */
  applyExchange(ccxtExchange: string, definitions: readonly InstrumentDefinition[], now: Date = new Date()): ChangeBatchEvent | undefined {
    const prepared = this.prepareExchange(ccxtExchange, definitions, now);
    this.rememberInputs(ccxtExchange, definitions);
    return prepared === undefined ? undefined : this.commitPrepared(prepared, prepared.changes.length > 0 ? this.revision + 1 : this.revision);
  }

  /** Applies what the clock alone changes in one exchange at `now` (prepareClock) and publishes it. */
  applyClock(ccxtExchange: string, now: Date): ChangeBatchEvent | undefined {
    const prepared = this.prepareClock(ccxtExchange, now);
    return prepared === undefined ? undefined : this.commitPrepared(prepared, prepared.changes.length > 0 ? this.revision + 1 : this.revision);
  }

  /**
   * What a fresh load of one exchange would change, against the state now, without changing
   * anything: the exchange's new and changed definitions, its keys gone, and the changes to the
   * served view. Undefined when the exchange's source would stay as it is. In Redis mode the
   * leader prepares, the shared log orders, and every replica commits the same delta.
   */
  prepareExchange(ccxtExchange: string, definitions: readonly InstrumentDefinition[], now: Date = new Date()): PreparedDelta | undefined {
    const inputs = this.inputs.get(ccxtExchange);
    // The loader hands back the same objects for unchanged content (definition-handover.ts):
    // when every one is the object applied last time, nothing can have changed.
    // The clock rule (status-at.ts) applies to what enters at `now` (the load's time): a contract
    // past its expiry enters EXPIRED, and one that expired since the last load changes with it.
    const previous = this.sources.get(ccxtExchange) ?? new Map<string, InstrumentDefinition>();
    const clockStill = (key: string): boolean => {
      const old = previous.get(key);
      return old === undefined || statusAt(old, now) === old;
    };
    if (inputs !== undefined && inputs.size === definitions.length && definitions.every((d) => inputs.get(d.instrumentKey) === d && clockStill(d.instrumentKey))) return undefined;
    const next = new Map<string, InstrumentDefinition>();
    const upserts: InstrumentDefinition[] = [];
    for (const raw of definitions) {
      const key = raw.instrumentKey;
      const d = statusAt(raw, now);
      // An unchanged definition keeps its object (and so its last_updated: when it last changed),
      // unless it was restored from a snapshot: a refresh confirms it, so it is no longer stale.
      // The very object applied last time is unchanged unless its expiry passed since.
      const old = previous.get(key);
      const unchanged = old !== undefined && (inputs?.get(key) === raw ? clockStill(key) : changedFields(old, d).length === 0);
      if (!unchanged) {
        next.set(key, d);
        upserts.push(d);
      } else if (old.stale) {
        const confirmed = { ...old, stale: false };
        next.set(key, confirmed);
        upserts.push(confirmed);
      } else {
        next.set(key, old);
      }
    }
    const removedKeys = [...previous.keys()].filter((key) => !next.has(key));
    return this.deltaOf(ccxtExchange, next, upserts, removedKeys, now);
  }

  /**
   * What the clock alone changes at `now` in one exchange's source, without a load: its contracts
   * whose expiry has passed become EXPIRED and inactive (status-at.ts); stale flags and everything
   * else stay. Undefined when nothing is due. Committed like a load's delta (commitPrepared, or
   * the shared log in Redis mode).
   */
  prepareClock(ccxtExchange: string, now: Date): PreparedDelta | undefined {
    const previous = this.sources.get(ccxtExchange);
    if (previous === undefined) return undefined;
    let next: Map<string, InstrumentDefinition> | undefined;
    const upserts: InstrumentDefinition[] = [];
    for (const old of previous.values()) {
      const d = statusAt(old, now);
      if (d === old) continue;
      next ??= new Map(previous);
      next.set(d.instrumentKey, d);
      upserts.push(d);
    }
    return next === undefined ? undefined : this.deltaOf(ccxtExchange, next, upserts, [], now);
  }

  private deltaOf(ccxtExchange: string, next: Source, upserts: InstrumentDefinition[], removedKeys: string[], now: Date): PreparedDelta | undefined {
    if (upserts.length === 0 && removedKeys.length === 0) return undefined;
    const changes: InstrumentChange[] = [];
    for (const key of [...upserts.map((d) => d.instrumentKey), ...removedKeys]) {
      const change = diffOne(key, this.current.byKey.get(key), this.winner(key, ccxtExchange, next), now);
      if (change !== undefined) changes.push(change);
    }
    // The batch is dated when applied; `now` dated the load (removals happened when the exchange said so).
    return { ccxtExchange, upserts, removedKeys, changes, appliedAt: new Date() };
  }

  /** The loader's objects of the last load committed: the next prepare's shortcut (see prepareExchange). */
  rememberInputs(ccxtExchange: string, definitions: readonly InstrumentDefinition[]): void {
    this.inputs.set(ccxtExchange, new Map(definitions.map((d) => [d.instrumentKey, d])));
  }

  /**
   * Applies a prepared delta at `revision` (the current one when it has no changes: the source
   * moves, nothing served by key does) and publishes its batch. The delta must have been prepared
   * against this state: in Redis mode the shared log refuses one prepared against another.
   */
  commitPrepared(delta: PreparedDelta, revision: number): ChangeBatchEvent | undefined {
    const { ccxtExchange, upserts, removedKeys, changes } = delta;
    const next = new Map(this.sources.get(ccxtExchange));
    for (const d of upserts) next.set(d.instrumentKey, d);
    for (const key of removedKeys) next.delete(key);
    this.setSource(ccxtExchange, next);

    let merged: Map<string, InstrumentDefinition> | undefined;
    const added: string[] = [];
    const removed = new Set<string>();
    for (const key of [...upserts.map((d) => d.instrumentKey), ...removedKeys]) {
      const before = this.current.byKey.get(key);
      const after = this.winner(key);
      if (before === after) continue;
      merged ??= new Map(this.current.byKey);
      if (after === undefined) merged.delete(key);
      else merged.set(key, after);
      if (before === undefined) added.push(key);
      if (after === undefined) removed.add(key);
    }
    for (const change of changes) {
      if (change.changeType === ChangeType.CHANGE_TYPE_REMOVED && change.instrument !== undefined) this.historical.retire(change.instrument);
      if (change.changeType === ChangeType.CHANGE_TYPE_ADDED) this.historical.relist(change.instrumentKey);
    }
    // Even when nothing served by key changed (stale flags cleared, or only definitions that
    // lose their key to another exchange), lookups by this exchange's CCXT symbols must see them.
    const batchRevision = changes.length > 0 ? revision : this.current.revision;
    this.current = buildView(batchRevision, merged ?? new Map(this.current.byKey), [...this.sources.values()].map((m) => m.values()), { previous: this.current.sortedKeys, added, removed });
    this.rebuildViews();
    if (changes.length === 0) return undefined;
    const batch: ChangeBatchEvent = { revision: batchRevision, appliedAt: delta.appliedAt, ccxtExchange, changes };
    this.persist?.(batch, next);
    this.history.append(batch);
    this.subject.next(batch);
    return batch;
  }

  /** The definition served for a key: from the source ranked first for its venue. */
  private winner(key: string, replacing?: string, replacement?: Source): InstrumentDefinition | undefined {
    let best: InstrumentDefinition | undefined;
    const ids = replacing === undefined || this.sources.has(replacing) ? this.sourceIds : [...this.sourceIds, replacing].sort();
    for (const id of ids) {
      const d = (id === replacing ? replacement : this.sources.get(id))?.get(key);
      if (d !== undefined && (best === undefined || sourceRank(id, d.venue) < sourceRank(best.ccxtExchange, best.venue))) best = d;
    }
    return best;
  }

  /** At refresh time, not on a request: drop derived views and build the merged one. */
  private rebuildViews(): void {
    this.views.clear();
    this.readView(SourceView.SOURCE_VIEW_MERGED);
  }

  private setSource(id: string, source: Source): void {
    if (!this.sources.has(id)) this.sourceIds = [...this.sourceIds, id].sort();
    this.sources.set(id, source);
  }

  /** Ends the change stream (shutdown). */
  close(): void {
    this.subject.complete();
  }
}
