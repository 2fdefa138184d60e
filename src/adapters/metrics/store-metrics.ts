import { Gauge, type Registry } from 'prom-client';
import type { ExchangeStatus, StoreStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';

export interface StoreMetricSources {
  statuses(): ExchangeStatus[];
  /** Redis mode's store status; absent in embedded mode. */
  store?(): StoreStatus;
}

/**
 * Where this replica stands with the shared state, read at scrape time from what GetStatus
 * reports. Embedded mode has nothing shared: connected, and polling every exchange.
 */
export function storeMetrics(registry: Registry, sources: StoreMetricSources): void {
  const registers = [registry];
  new Gauge({
    name: 'instruments_store_connected',
    help: 'Whether the shared store (Redis mode) answers: 0 while this replica serves what it has and applies nothing. Always 1 in embedded mode.',
    registers,
    collect() {
      this.set(sources.store === undefined || sources.store().connected ? 1 : 0);
    },
  });
  new Gauge({
    name: 'instruments_exchange_polled_here',
    help: 'Whether this replica polls the exchange. In Redis mode only the lease holder does (summed over the replicas: 1); in embedded mode always 1.',
    labelNames: ['exchange'] as const,
    registers,
    collect() {
      this.reset();
      const polling = sources.store === undefined ? undefined : new Set(sources.store().polling);
      for (const { ccxtExchange: exchange } of sources.statuses()) this.set({ exchange }, polling === undefined || polling.has(exchange) ? 1 : 0);
    },
  });
}
