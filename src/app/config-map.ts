import type { ConfigFile } from './config-schema.js';
import type { ServiceConfig } from './config.js';

const list = (value: string | string[] | undefined): string[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** The validated file shape → the service's settings. */
export function serviceConfigOf(file: ConfigFile): ServiceConfig {
  const { server, auth, http, live, historical, watch, monitoring, logging } = file;
  return {
    listen: server.listen,
    tls: server.tls === undefined ? undefined : { certFile: server.tls.cert_file, keyFile: server.tls.key_file, clientCaFile: server.tls.client_ca_file },
    auth: { enabled: auth.enabled, tokensFile: auth.tokens_file },
    http: { ...http },
    keepalive: {
      timeSeconds: server.keepalive.time_seconds,
      timeoutSeconds: server.keepalive.timeout_seconds,
    },
    shutdownGraceSeconds: server.shutdown_grace_seconds,
    maxRequestBytes: server.max_request_bytes,
    cacheTtlSeconds: live.cache_ttl_seconds,
    logFormat: logging.format,
    logLevel: logging.level,
    dataDir: file.data_dir,
    store: file.store === 'embedded' ? { mode: 'embedded' } : {
      mode: 'redis', url: file.store, replicaId: file.redis.replica_id, keyPrefix: file.redis.key_prefix, leaseSeconds: file.redis.lease_seconds,
      streamMaxEntries: file.redis.stream_max_entries, commandTimeoutSeconds: file.redis.command_timeout_seconds,
    },
    historicalSources: historical.enabled ? [...list(historical.path), ...list(historical.url)] : [],
    historyFallback: historical.fallback,
    maxRemovalRatio: live.max_removal_ratio,
    proxyUrl: live.proxy_url,
    refresh: {
      intervalSeconds: live.update_interval_seconds,
      jitterRatio: live.jitter_ratio,
      retryInitialSeconds: live.retry_initial_seconds,
      retryMaxSeconds: live.retry_max_seconds,
      loadTimeoutSeconds: live.load_timeout_seconds,
      maxConcurrentLoads: live.max_concurrent_loads,
      loaderNice: live.loader_nice,
    },
    watch: {
      progressIntervalSeconds: watch.progress_interval_seconds,
      historyBatches: watch.history_batches,
      historyChanges: watch.history_changes,
      maxPendingMessages: watch.max_pending_messages,
    },
    webhookUrl: monitoring.enabled && monitoring.alert_on_changes ? monitoring.webhook_url : undefined,
    exchanges: live.enabled ? Object.fromEntries(Object.entries(live.exchanges).map(([id, e]) => [id, { ccxt: e.ccxt, sandbox: e.sandbox }])) : {},
  };
}
