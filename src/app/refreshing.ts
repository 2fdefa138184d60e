import type { Logger } from 'pino';
import { Subject, type Observable } from 'rxjs';
import { MarketLoaderPool } from '../adapters/ccxt/market-loader-pool.js';
import type { KnownSources } from '../domain/instrument-filter.js';
import { venuesOfExchange } from '../domain/venues.js';
import { LoadSlots } from '../pipeline/load-slots.js';
import type { ExchangeStatusSource } from '../rpc/rpc-context.js';
import type { InstrumentStore } from '../store/instrument-store.js';
import type { ServiceConfig } from './config.js';
import { ExchangeRefresher, type RefreshDeps } from './exchange-refresher.js';
import type { RefreshEvent } from './refresh-event.js';

export interface Refreshing {
  exchanges: ExchangeStatusSource;
  /** Redis mode: start and stop one exchange's polling as this replica gains and loses its lease. */
  poll(id: string, on: boolean): void;
  /** Every refresh attempt of every exchange. */
  events$: Observable<RefreshEvent>;
  stop(): Promise<void>;
}

/** Starts one refresh pipeline per configured exchange, sharing a worker pool and load slots. */
export function startRefreshing(
  config: ServiceConfig,
  store: InstrumentStore,
  log: Logger,
  restoredCounts?: ReadonlyMap<string, number>,
  redact?: (text: string) => string,
  shared?: { commit: NonNullable<RefreshDeps['commit']>; commitClock?: RefreshDeps['commitClock'] },
): Refreshing {
  const pool = new MarketLoaderPool({ nice: config.refresh.loaderNice });
  const slots = new LoadSlots(config.refresh.maxConcurrentLoads);
  const events = new Subject<RefreshEvent>();
  const refreshers = Object.entries(config.exchanges).map(([id, settings]) => new ExchangeRefresher(
    id,
    { ccxt: settings.ccxt, sandbox: settings.sandbox, ...(config.proxyUrl ? { proxyUrl: config.proxyUrl } : {}) },
    config.refresh,
    { pool, slots, store, log, maxRemovalRatio: config.maxRemovalRatio, events, ...(redact ? { redact } : {}), ...(shared ? { commit: shared.commit } : {}), ...(shared?.commitClock ? { commitClock: shared.commitClock } : {}) },
  ));
  const known: KnownSources = {
    venues: new Set(refreshers.flatMap((r) => venuesOfExchange(r.id))),
    ccxtExchanges: new Set(refreshers.map((r) => r.id)),
  };
  for (const refresher of refreshers) {
    refresher.restoredFromSnapshot(restoredCounts?.get(refresher.id) ?? 0);
    // In Redis mode an exchange is polled only where its lease is held (see poll).
    if (shared === undefined) refresher.start();
  }
  return {
    exchanges: { statuses: () => refreshers.map((r) => r.snapshot()), known: () => known },
    events$: events.asObservable(),
    poll: (id, on) => {
      const refresher = refreshers.find((r) => r.id === id);
      refresher?.stop();
      if (on) refresher?.start();
    },
    stop: async () => {
      for (const refresher of refreshers) refresher.stop();
      events.complete();
      await pool.close();
    },
  };
}
