import type { Logger } from 'pino';
import { asyncScheduler, BehaviorSubject, defer, EMPTY, map, merge, Observable, type Observer, type SchedulerLike, type Subscription } from 'rxjs';
import type { ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ExchangeSettings } from '../adapters/ccxt/create-exchange.js';
import { retryAfterOf, type MarketLoaderPool, type PooledLoad } from '../adapters/ccxt/market-loader-pool.js';
import type { LoadedDefinitions } from '../adapters/ccxt/load-definitions.js';
import { countByKind, type ChangeBatchEvent } from '../domain/change-batch.js';
import { commitLoads } from '../pipeline/commit-loads.js';
import { applyClockToStore, applyToStore, type AppliedClock, type AppliedLoad } from '../pipeline/apply-to-store.js';
import { expiryTicks } from '../pipeline/expiry-ticks.js';
import { nextExpiry } from '../domain/status-at.js';
import { guardLoad } from '../pipeline/guard-load.js';
import { loadExclusively } from '../pipeline/load-exclusively.js';
import type { LoadSlots } from '../pipeline/load-slots.js';
import { refreshSchedule } from '../pipeline/refresh-schedule.js';
import { retryWithBackoff } from '../pipeline/retry-with-backoff.js';
import type { InstrumentStore } from '../store/instrument-store.js';
import type { RefreshConfig } from './config.js';
import { ExchangeStatusTracker } from './exchange-status-tracker.js';
import type { RefreshEvent } from './refresh-event.js';

export interface RefreshDeps {
  pool: MarketLoaderPool;
  slots: LoadSlots;
  store: InstrumentStore;
  log: Logger;
  /** A refresh removing more than this share of the exchange's instruments at once is held. */
  maxRemovalRatio: number;
  /** Scrubs known secrets from error text that is kept and served (status, events). */
  redact?: (text: string) => string;
  /** Every attempt's outcome (metrics, dashboard). */
  events: Pick<Observer<RefreshEvent>, 'next'>;
  /** Redis mode: loads are committed to the shared log instead of applied to the store here. */
  commit?: (ccxtExchange: string, definitions: LoadedDefinitions['definitions'], receivedAt: Date) => Promise<ChangeBatchEvent | undefined>;
  /** Redis mode: what the clock expired at a time, committed to the shared log like a load. */
  commitClock?: (ccxtExchange: string, now: Date) => Promise<ChangeBatchEvent | undefined>;
  /** The clock of the expiry timer (tests inject a virtual one). */
  scheduler?: SchedulerLike;
}

type Work = { loaded: LoadedDefinitions } | { clockAt: Date };


/**
 * One exchange's refresh pipeline: a jittered schedule → one load at a time (ticks during a load
 * or its retries are dropped) → a global slot → loadMarkets + conversion on a worker thread →
 * retried with backoff (at least Retry-After) while it fails → data-quality guard (suspect loads
 * held until confirmed, invalid markets rejected) → diff and apply to the store, which publishes
 * the batch. A failure only changes this exchange's status; nothing is removed. Beside the loads, a
 * timer at the next expiry among the exchange's definitions applies the clock rule
 * (status-at.ts) through the same apply or commit stage, so a contract turns EXPIRED at its
 * expiry even while the exchange cannot be reached; it is re-armed after every load and tick.
 */
export class ExchangeRefresher {
  private readonly status: ExchangeStatusTracker;
  private subscription: Subscription | undefined;
  private attemptStartedAt = 0;

  constructor(
    readonly id: string,
    private readonly settings: ExchangeSettings,
    private readonly config: RefreshConfig,
    private readonly deps: RefreshDeps,
  ) {
    this.status = new ExchangeStatusTracker(id, deps.redact);
  }

  snapshot(): ExchangeStatus {
    return this.status.snapshot();
  }

  /** After a restart: the exchange's instruments come from the snapshot until it refreshes. */
  restoredFromSnapshot(count: number): void {
    this.status.servingSnapshot(count);
  }

  start(): void {
    const { pool, slots, store, log } = this.deps;
    const intervalMs = this.config.intervalSeconds * 1000;
    const emit = (event: Omit<RefreshEvent, 'exchange' | 'at' | 'instruments'>): void => {
      this.deps.events.next({ exchange: this.id, at: new Date(), instruments: store.countFor(this.id), ...event });
    };
    const load = defer(() => {
      this.attemptStartedAt = Date.now();
      this.status.attempt(new Date());
      // Unsubscribed (stopped: shut down, or another replica took the exchange's lease), the load
      // is cancelled and its requests aborted, so two pollers never overlap.
      return slots.run(() => new Observable<PooledLoad>((subscriber) => {
        const abort = new AbortController();
        pool.load(this.id, this.settings, { timeoutMs: this.config.loadTimeoutSeconds * 1000, signal: abort.signal }).then((loaded) => {
          // Malformed markets (conversion threw) are counted like invalid ones; markets of a kind
          // the contract has no type for are not a fault and stay out of rejected_markets.
          const failed = loaded.rejected.filter((r) => r.failed === true);
          this.status.rejected(failed.map((r) => r.reason));
          if (failed.length > 0) log.warn({ exchange: this.id, rejected: failed.slice(0, 20), count: failed.length }, 'markets not converted; the others load');
          subscriber.next(loaded);
          subscriber.complete();
        }, (error: unknown) => subscriber.error(error));
        return () => abort.abort();
      }));
    }).pipe(retryWithBackoff<PooledLoad>({
      initialMs: this.config.retryInitialSeconds * 1000,
      maxMs: this.config.retryMaxSeconds * 1000,
      retryAfterMs: retryAfterOf,
      onRetry: (error, _attempt, delayMs) => {
        this.status.failed(error, new Date(Date.now() + delayMs));
        emit({ outcome: 'failed', durationMs: Date.now() - this.attemptStartedAt, changes: 0, reason: this.status.snapshot().lastError });
        log.warn({ exchange: this.id, error: this.status.snapshot().lastError, consecutiveFailures: this.status.failures, retryInMs: delayMs, servingLastKnown: store.countFor(this.id) }, 'exchange unavailable, will retry');
      },
    }));
    const scheduler = this.deps.scheduler ?? asyncScheduler;
    // A refused clock commit (Redis away, lease lost) is tried again a refresh interval later, not
    // at once in a loop; a load in between applies the clock rule itself.
    let clockNotBefore = 0;
    const arm = new BehaviorSubject<void>(undefined);
    const clock$ = arm.pipe(expiryTicks(() => {
      const at = nextExpiry(store.sourceOf(this.id).values());
      return at === undefined ? undefined : Math.max(at, clockNotBefore);
    }, scheduler));
    const loads$ = refreshSchedule({ intervalMs, jitterRatio: this.config.jitterRatio, firstDelayMaxMs: 0 })
      .pipe(
        loadExclusively(() => load),
        guardLoad({
          policy: { maxRemovalRatio: this.deps.maxRemovalRatio },
          previous: () => store.sourceOf(this.id),
          onHold: (held, rejected) => {
            this.status.held(held.reason);
            this.status.rejected(rejected.map((r) => r.reason));
            emit({ outcome: 'held', durationMs: Date.now() - this.attemptStartedAt, changes: 0, reason: held.reason });
            log.warn({ exchange: this.id, reason: held.reason, serving: store.countFor(this.id) }, 'refresh held as suspect; applied only if the next refresh confirms it');
          },
          onApply: (verdict) => {
            this.status.rejected(verdict.rejected.map((r) => r.reason));
            if (verdict.rejected.length > 0) log.warn({ exchange: this.id, rejected: verdict.rejected.slice(0, 20), count: verdict.rejected.length }, 'markets rejected by validation; previous definitions kept');
            if (verdict.confirmedHold !== undefined) log.warn({ exchange: this.id, reason: verdict.confirmedHold }, 'held refresh confirmed by the next one; applied');
          },
        }),
      );
    const { commit, commitClock } = this.deps;
    const applied$: Observable<AppliedLoad | AppliedClock> = commit === undefined
      ? merge(loads$.pipe(applyToStore(store, this.id)), clock$.pipe(applyClockToStore(store, this.id)))
      // One queue for loads and ticks: the shared log takes one commit at a time per exchange.
      : merge(loads$.pipe(map((loaded): Work => ({ loaded }))), commitClock === undefined ? EMPTY : clock$.pipe(map((clockAt): Work => ({ clockAt })))).pipe(
        commitLoads<Work>(
          (work) => 'loaded' in work ? commit(this.id, work.loaded.definitions, work.loaded.receivedAt) : (commitClock as NonNullable<typeof commitClock>)(this.id, work.clockAt),
          (error, work) => {
            if ('clockAt' in work) {
              clockNotBefore = scheduler.now() + intervalMs;
              log.warn({ exchange: this.id, error: String(error) }, 'expiries not committed to the shared log; tried again later');
              arm.next();
              return;
            }
            this.status.failed(error, new Date(Date.now() + intervalMs));
            emit({ outcome: 'failed', durationMs: Date.now() - this.attemptStartedAt, changes: 0, reason: this.status.snapshot().lastError });
            log.warn({ exchange: this.id, error: this.status.snapshot().lastError, servingLastKnown: store.countFor(this.id) }, 'load not committed to the shared log; the next refresh tries again');
          },
        ),
        map(({ loaded: work, batch }) => 'loaded' in work ? { loaded: work.loaded, batch } : { clockAt: work.clockAt, batch }),
      );
    this.subscription = applied$
      .subscribe((applied) => {
        arm.next();
        if ('clockAt' in applied) {
          const expired = applied.batch?.changes.length ?? 0;
          if (expired > 0) log.info({ exchange: this.id, expired, revision: store.revision, at: applied.clockAt.toISOString() }, 'contracts expired by the clock');
          return;
        }
        const { loaded, batch } = applied;
        this.status.succeeded(loaded.receivedAt, store.countFor(this.id), new Date(Date.now() + intervalMs));
        const changes = batch?.changes ?? [];
        const durationMs = (loaded as PooledLoad).durationMs;
        emit({ outcome: changes.length > 0 ? 'applied' : 'unchanged', durationMs, changes: changes.length });
        // The one line per refresh an operator greps for.
        log.info({
          exchange: this.id, instruments: store.countFor(this.id), rejected: loaded.rejected.length,
          changes: changes.length, ...countByKind(changes), revision: store.revision, durationMs,
        }, 'markets loaded');
      });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
