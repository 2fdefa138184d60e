import type { ServerInterceptor } from '@grpc/grpc-js';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Observable } from 'rxjs';
import type { ExchangeStatus, StoreStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import type { RefreshEvent } from '../../app/refresh-event.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import { exchangeMetrics } from './exchange-metrics.js';
import { refreshMetrics } from './refresh-metrics.js';
import { rpcMetrics } from './rpc-metrics.js';
import { storeMetrics } from './store-metrics.js';
import { webhookMetrics, type WebhookStatsSource } from './webhook-metrics.js';

export interface MetricsSources {
  store: {
    readonly revision: number;
    readonly changes$: Observable<ChangeBatchEvent>;
    sourceOf(ccxtExchange: string): ReadonlyMap<string, InstrumentDefinition>;
  };
  /** What GetStatus reports per exchange and, in Redis mode, about the store (RunningService.exchanges). */
  exchanges: { statuses(): ExchangeStatus[]; store?(): StoreStatus };
  /** Every refresh attempt (RunningService.refreshes$). */
  refreshes$: Observable<RefreshEvent>;
  /**
   * Open WatchChanges streams, e.g. `() => server.watchers.size`: a function because the gRPC
   * server is built after the metrics (it carries their interceptor).
   */
  watchers: () => number;
  /** The webhook notifier, when one is configured. */
  webhook?: WebhookStatsSource | undefined;
  refreshIntervalSeconds: number;
  cacheTtlSeconds: number;
  /** prom-client's process and Node.js metrics (CPU, memory, event loop, GC); default true. */
  defaultMetrics?: boolean;
}

export interface ServiceMetrics {
  /** The Content-Type of `text()`: Prometheus text format 0.0.4. */
  readonly contentType: string;
  /** The Prometheus exposition of every metric. */
  text(): Promise<string>;
  /**
   * Counts and times every RPC. Put it before an auth interceptor in `interceptors` (inner), so
   * that calls the auth interceptor rejects are counted too.
   */
  readonly interceptor: ServerInterceptor;
  /** The registry, for tests and for merging with another. */
  readonly registry: Registry;
  /** Stops following refreshes and changes; the exposition keeps the last values. */
  close(): void;
}

/**
 * The service's Prometheus metrics, in a registry of their own (not prom-client's global one), so
 * several services in one process do not collide. Counters follow the event streams; gauges are
 * read from the store and statuses at scrape time. Label values come from fixed sets (exchange
 * ids, methods, codes, types, kinds, reasons), never from error messages, URLs or tokens.
 */
export function createServiceMetrics(sources: MetricsSources): ServiceMetrics {
  const registry = new Registry();
  const registers = [registry];
  const exchanges = sources.exchanges.statuses().map((s) => s.ccxtExchange);
  const subscription = refreshMetrics(registry, { refreshes$: sources.refreshes$, changes$: sources.store.changes$, exchanges });
  exchangeMetrics(registry, { statuses: () => sources.exchanges.statuses(), store: sources.store });
  storeMetrics(registry, sources.exchanges);
  webhookMetrics(registry, sources.webhook);
  const interceptor = rpcMetrics(registry);
  const gauge = (name: string, help: string, read: () => number): void => {
    new Gauge({ name, help, registers, collect() { this.set(read()); } });
  };
  gauge('instruments_store_revision', 'The store\'s current revision: one more per applied change batch.', () => sources.store.revision);
  gauge('instruments_watchers_connected', 'Open WatchChanges streams.', sources.watchers);
  gauge('instruments_refresh_interval_seconds', 'Configured refresh interval of every exchange (live.update_interval_seconds), for alert rules.', () => sources.refreshIntervalSeconds);
  gauge('instruments_cache_ttl_seconds', 'Configured age after which an exchange\'s data is reported stale (live.cache_ttl_seconds), for alert rules.', () => sources.cacheTtlSeconds);
  if (sources.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'instruments_' });
  return {
    contentType: registry.contentType,
    text: () => registry.metrics(),
    interceptor,
    registry,
    close: () => subscription.unsubscribe(),
  };
}
