import type { Logger } from 'pino';
import { defer, type Subscription } from 'rxjs';
import type { ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ExchangeSettings } from '../adapters/ccxt/create-exchange.js';
import { retryAfterOf, type MarketLoaderPool, type PooledLoad } from '../adapters/ccxt/market-loader-pool.js';
import { applyToStore } from '../pipeline/apply-to-store.js';
import { loadExclusively } from '../pipeline/load-exclusively.js';
import type { LoadSlots } from '../pipeline/load-slots.js';
import { refreshSchedule } from '../pipeline/refresh-schedule.js';
import { retryWithBackoff } from '../pipeline/retry-with-backoff.js';
import type { InstrumentStore } from '../store/instrument-store.js';
import type { RefreshConfig } from './config.js';
import { ExchangeStatusTracker } from './exchange-status-tracker.js';

export interface RefreshDeps {
  pool: MarketLoaderPool;
  slots: LoadSlots;
  store: InstrumentStore;
  log: Logger;
}

/**
 * One exchange's refresh pipeline: a jittered schedule → one load at a time (ticks during a load
 * or its retries are dropped) → a global slot → loadMarkets + conversion on a worker thread →
 * retried with backoff (at least Retry-After) while it fails → diff and apply to the store, which
 * publishes the batch. A failure only changes this exchange's status; nothing is removed.
 */
export class ExchangeRefresher {
  private readonly status: ExchangeStatusTracker;
  private subscription: Subscription | undefined;

  constructor(
    readonly id: string,
    private readonly settings: ExchangeSettings,
    private readonly config: RefreshConfig,
    private readonly deps: RefreshDeps,
  ) {
    this.status = new ExchangeStatusTracker(id);
  }

  snapshot(): ExchangeStatus {
    return this.status.snapshot();
  }

  start(): void {
    const { pool, slots, store, log } = this.deps;
    const intervalMs = this.config.intervalSeconds * 1000;
    const load = defer(() => {
      this.status.attempt(new Date());
      return slots.run(() => pool.load(this.id, this.settings, this.status.loadedOnce));
    }).pipe(retryWithBackoff<PooledLoad>({
      initialMs: this.config.retryInitialSeconds * 1000,
      maxMs: this.config.retryMaxSeconds * 1000,
      retryAfterMs: retryAfterOf,
      onRetry: (error, _attempt, delayMs) => {
        this.status.failed(error, new Date(Date.now() + delayMs));
        log.warn({ exchange: this.id, error: this.status.snapshot().lastError, consecutiveFailures: this.status.failures, retryInMs: delayMs, servingLastKnown: store.countFor(this.id) }, 'exchange unavailable, will retry');
      },
    }));
    this.subscription = refreshSchedule({ intervalMs, jitterRatio: this.config.jitterRatio, firstDelayMaxMs: 0 })
      .pipe(loadExclusively(() => load), applyToStore(store, this.id))
      .subscribe(({ loaded, batch }) => {
        this.status.succeeded(loaded.receivedAt, store.countFor(this.id), new Date(Date.now() + intervalMs));
        log.info({
          exchange: this.id, instruments: store.countFor(this.id), rejected: loaded.rejected.length,
          changes: batch?.changes.length ?? 0, revision: store.revision, durationMs: (loaded as PooledLoad).durationMs,
        }, 'markets loaded');
      });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }
}
