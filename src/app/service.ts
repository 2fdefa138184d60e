import type { Logger } from 'pino';
import { filter, type Observable, type Subscription } from 'rxjs';
import { startOpsServer, type RunningOpsServer } from '../adapters/http/ops-server.js';
import { createServiceMetrics, type ServiceMetrics } from '../adapters/metrics/service-metrics.js';
import type { SecretRedactor } from '../adapters/secret-redactor.js';
import { WebhookNotifier } from '../adapters/webhook/webhook-notifier.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import { DEFAULT_WATCH_SETTINGS } from '../rpc/watch-changes.js';
import { authInterceptor } from '../server/auth-interceptor.js';
import { startGrpcServer, type RunningServer } from '../server/grpc-server.js';
import { keepaliveOptions } from '../server/keepalive-options.js';
import { loadAuthenticator } from '../server/load-authenticator.js';
import { grpcCredentialsOf, readTlsMaterial } from '../server/tls-credentials.js';
import type { ExchangeStatusSource } from '../rpc/rpc-context.js';
import { InstrumentStore } from '../store/instrument-store.js';
import { ConfigError, type ServiceConfig } from './config.js';
import { dashboardSourcesOf } from './dashboard-sources.js';
import { attachDurableState } from './durable-wiring.js';
import { loadHistoricalSources } from './historical-sources.js';
import type { RefreshEvent } from './refresh-event.js';
import { startRefreshing } from './refreshing.js';
import { startReplica } from './replica/start-replica.js';

export type ChangeCallback = (batch: ChangeBatchEvent) => void;

export interface RunningService {
  port: number;
  store: InstrumentStore;
  server: RunningServer;
  /** Every refresh attempt of every exchange. */
  refreshes$: Observable<RefreshEvent>;
  /** What GetStatus reports per exchange. */
  exchanges: ExchangeStatusSource;
  /** The HTTP operations port (metrics, dashboard); undefined when http.enabled is false. */
  httpPort: number | undefined;
  metrics: ServiceMetrics;
  /** Calls fn with every change batch, after watchers got it; returns the unsubscribe. */
  addChangeCallback(fn: ChangeCallback): () => void;
  stop(graceMs?: number): Promise<void>;
}

function webhookFor(config: ServiceConfig, env: NodeJS.ProcessEnv, log: Logger): WebhookNotifier | undefined {
  if (config.webhookUrl === undefined) return undefined;
  const secret = env['INSTRUMENTS_WEBHOOK_SECRET'];
  if (!secret) throw new ConfigError('monitoring.webhook_url is set but INSTRUMENTS_WEBHOOK_SECRET is not: the receiver needs the secret to verify batches');
  return new WebhookNotifier({ url: config.webhookUrl, secret }, log);
}

// Wiring: one store, one refresh pipeline per exchange, the gRPC server, callbacks and webhook.
export async function startService(config: ServiceConfig, log: Logger, env: NodeJS.ProcessEnv = process.env, redactor?: SecretRedactor): Promise<RunningService> {
  const webhook = webhookFor(config, env, log);
  // Read before anything starts, so a bad certificate or token file fails fast.
  const tlsMaterial = config.tls === undefined ? undefined : readTlsMaterial(config.tls);
  const credentials = grpcCredentialsOf(tlsMaterial);
  const authenticator = loadAuthenticator(config.auth, env, (token) => redactor?.add(token));
  const store = new InstrumentStore({ maxBatches: config.watch.historyBatches, maxChanges: config.watch.historyChanges }, config.historyFallback);
  store.setHistorical(await loadHistoricalSources(config.historicalSources, log));
  const limits = { maxBatches: config.watch.historyBatches, maxChanges: config.watch.historyChanges };
  let server: RunningServer | undefined;
  // Redis mode: the state is the shared one (data_dir is not used); embedded: data_dir's.
  const replica = config.store.mode === 'redis'
    ? await startReplica(config.store, store, Object.keys(config.exchanges), log, (reason) => server?.watchers.endAll(`this replica reloaded the shared state (${reason})`))
    : undefined;
  const durable = replica !== undefined || config.dataDir === undefined ? undefined : attachDurableState(config.dataDir, store, limits, log);
  const refreshing = startRefreshing(config, store, log, durable?.restoredCounts, redactor && ((text) => redactor.scrub(text)), replica && { commit: replica.commit, commitClock: replica.commitClock });
  const exchanges: ExchangeStatusSource = replica === undefined ? refreshing.exchanges : {
    statuses: () => replica.statuses(refreshing.exchanges.statuses()),
    known: () => refreshing.exchanges.known(),
    store: () => replica.storeStatus(),
  };
  let http: RunningOpsServer | undefined;
  const metrics = createServiceMetrics({
    store, exchanges, refreshes$: refreshing.events$, watchers: () => server?.watchers.size ?? 0, webhook,
    refreshIntervalSeconds: config.refresh.intervalSeconds, cacheTtlSeconds: config.cacheTtlSeconds,
  });
  try {
    // Metrics inside auth: calls auth rejects are counted too.
    const interceptors = [metrics.interceptor, ...(authenticator === undefined ? [] : [authInterceptor(authenticator)])];
    server = await startGrpcServer(config.listen, { store, exchanges, ...(replica ? { awaitRevision: replica.awaitRevision } : {}) }, (method, error) => {
      log.error({ method, err: error }, 'unexpected error in RPC handler');
    }, {
      progressIntervalMs: config.watch.progressIntervalSeconds * 1000,
      maxPendingMessages: config.watch.maxPendingMessages,
      snapshotPageSize: DEFAULT_WATCH_SETTINGS.snapshotPageSize,
    }, { credentials, interceptors, channelOptions: { ...keepaliveOptions(config.keepalive), 'grpc.max_receive_message_length': config.maxRequestBytes } });
    if (config.http.enabled) {
      const guard = authenticator !== undefined && config.http.auth ? authenticator : undefined;
      http = await startOpsServer({
        listen: config.http.listen,
        ...(config.http.tls && tlsMaterial !== undefined ? { tls: tlsMaterial } : {}),
        ...(guard === undefined ? {} : { authorize: (header: string | undefined) => guard.check(header, 'http', 'use the HTTP port') }),
        metrics: async () => ({ contentType: metrics.contentType, body: await metrics.text() }),
        onError: (error, path) => log.error({ err: error, path }, 'HTTP route failed'),
        ...dashboardSourcesOf({ store, refreshes$: refreshing.events$, exchanges }, config.cacheTtlSeconds),
      });
    }
  } catch (error) {
    // A port in use or a bad address: leave nothing running behind the error.
    await server?.close(0);
    await refreshing.stop();
    metrics.close();
    durable?.close();
    await replica?.close();
    throw error;
  }
  // Every replica applies every batch; only the exchange's poller sends it on.
  webhook?.attach(replica === undefined ? store.changes$ : store.changes$.pipe(filter((batch) => replica.polls(batch.ccxtExchange))));
  replica?.lead(refreshing);
  const callbacks = new Set<Subscription>();
  const tls = config.tls === undefined ? 'off' : config.tls.clientCaFile === undefined ? 'on' : 'mutual';
  log.info({
    listen: config.listen, port: server.port, httpPort: http?.port, exchanges: Object.keys(config.exchanges), tls, authTokens: authenticator?.names,
    store: config.store.mode, ...(replica ? { replicaId: replica.replicaId } : {}),
  }, 'serving');
  const grpc = server;
  return {
    port: grpc.port,
    store,
    server: grpc,
    httpPort: http?.port,
    metrics,
    refreshes$: refreshing.events$,
    exchanges,
    addChangeCallback: (fn) => {
      // A throwing callback is logged and stays subscribed; it never breaks refreshes or watchers.
      const subscription = store.changes$.subscribe((batch) => {
        try {
          fn(batch);
        } catch (error) {
          log.error({ err: error, revision: batch.revision }, 'change callback failed');
        }
      });
      callbacks.add(subscription);
      return () => {
        subscription.unsubscribe();
        callbacks.delete(subscription);
      };
    },
    // Health NOT_SERVING and no new calls first, watches ended; then the sources stop and the
    // durable state is flushed last, after the final batch.
    stop: async (graceMs) => {
      await Promise.all([grpc.close(graceMs), replica?.stopLeading(), refreshing.stop(), http?.close()]);
      await webhook?.close();
      for (const subscription of callbacks) subscription.unsubscribe();
      metrics.close();
      store.close();
      durable?.close();
      await replica?.close();
    },
  };
}
