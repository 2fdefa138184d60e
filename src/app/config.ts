import { serviceConfigOf } from './config-map.js';
import { configSchema } from './config-schema.js';

export interface ExchangeConfig {
  /** CCXT constructor options, passed through. */
  ccxt: Record<string, unknown>;
  sandbox: boolean;
}

export interface RefreshConfig {
  intervalSeconds: number;
  /** Each interval is drawn from interval × (1 ± jitter), so exchanges do not fire together. */
  jitterRatio: number;
  retryInitialSeconds: number;
  retryMaxSeconds: number;
  /** A load still running after this fails (LoadTimeout) and is aborted, freeing its slot. */
  loadTimeoutSeconds: number;
  /** Loads running at once across all exchanges. */
  maxConcurrentLoads: number;
  /** Niceness of the loader threads (Linux). */
  loaderNice: number;
}

export interface WatchConfig {
  progressIntervalSeconds: number;
  historyBatches: number;
  historyChanges: number;
  maxPendingMessages: number;
}

export interface TlsConfig {
  certFile: string;
  keyFile: string;
  /** Set: mutual TLS, clients must present a certificate signed by this CA. */
  clientCaFile: string | undefined;
}

export interface AuthConfig {
  /** Every RPC except health (and the HTTP port when http.auth) needs a bearer token. */
  enabled: boolean;
  /** Token file (one `name:token[:scope,...]` per line); INSTRUMENTS_AUTH_TOKENS adds more. */
  tokensFile: string | undefined;
}

export interface HttpConfig {
  /** Metrics, status dashboard and its live feed. */
  enabled: boolean;
  listen: string;
  /** Require the same bearer tokens (scope `http`) as gRPC. */
  auth: boolean;
  /** HTTPS with server.tls's files (mutual when it has a client CA). */
  tls: boolean;
}

export interface KeepaliveConfig {
  /** The server pings a connection idle this long, so dead watch clients are noticed. */
  timeSeconds: number;
  timeoutSeconds: number;
}

export interface RedisStoreConfig {
  mode: 'redis';
  url: string;
  /** Undefined: `<hostname>-<pid>`, chosen at start. */
  replicaId: string | undefined;
  keyPrefix: string;
  leaseSeconds: number;
  streamMaxEntries: number;
  commandTimeoutSeconds: number;
}

/** Where the state lives: this process (and data_dir), or Redis shared with other replicas. */
export type StoreConfig = { mode: 'embedded' } | RedisStoreConfig;

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface ServiceConfig {
  listen: string;
  tls: TlsConfig | undefined;
  auth: AuthConfig;
  http: HttpConfig;
  keepalive: KeepaliveConfig;
  /** On SIGTERM/SIGINT: time for watches to end and state to flush before a forced exit. */
  shutdownGraceSeconds: number;
  /** Largest request message accepted (grpc.max_receive_message_length). */
  maxRequestBytes: number;
  /** An exchange not refreshed within this is reported stale (status, dashboard, metrics). */
  cacheTtlSeconds: number;
  logFormat: LogFormat;
  /** Durable state (last-known-good snapshots, change journal); undefined keeps nothing on disk. Unused in Redis mode. */
  dataDir: string | undefined;
  store: StoreConfig;
  /** Historical definitions: Tardis-format files, directories or http(s) URLs. */
  historicalSources: string[];
  /** The merged view falls back to history for instruments and fields live lacks. */
  historyFallback: boolean;
  /** A refresh removing more than this share of an exchange's instruments at once is held. */
  maxRemovalRatio: number;
  proxyUrl: string | undefined;
  logLevel: string;
  refresh: RefreshConfig;
  watch: WatchConfig;
  /** POST each change batch here, signed with INSTRUMENTS_WEBHOOK_SECRET. */
  webhookUrl: string | undefined;
  exchanges: Record<string, ExchangeConfig>;
}

/** Every default, from the schema. */
export const DEFAULT_CONFIG: ServiceConfig = serviceConfigOf(configSchema.parse({}));

export class ConfigError extends Error {}
