import type { Observable } from 'rxjs';
import type { DashboardSources } from '../adapters/http/dashboard-status.js';
import { instrumentCountsOf } from '../store/instrument-counts.js';
import type { ExchangeStatusSource } from '../rpc/rpc-context.js';
import type { InstrumentStore } from '../store/instrument-store.js';
import type { RefreshEvent } from './refresh-event.js';

/** The dashboard's view of a running service (its store, refresh events and exchange statuses). */
export function dashboardSourcesOf(
  service: { store: InstrumentStore; refreshes$: Observable<RefreshEvent>; exchanges: ExchangeStatusSource },
  cacheTtlSeconds: number,
): DashboardSources {
  const { store } = service;
  return {
    statuses: () => service.exchanges.statuses(),
    instrumentCounts: instrumentCountsOf(store),
    refreshes$: service.refreshes$,
    changes$: store.changes$,
    revision: () => store.revision,
    cacheTtlSeconds,
    ...(service.exchanges.store === undefined ? {} : { store: () => (service.exchanges.store as NonNullable<ExchangeStatusSource['store']>)() }),
  };
}
