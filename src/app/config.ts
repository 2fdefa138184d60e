import { readFileSync } from 'node:fs';
import { ccxtExchangeIds, isCcxtExchange } from '../adapters/ccxt/exchange-ids.js';
import { similarNames } from '../domain/close-matches.js';
import { parseConfigText } from './config-parse.js';

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
  /** Loads running at once across all exchanges. */
  maxConcurrentLoads: number;
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
}

export interface KeepaliveConfig {
  /** The server pings a connection idle this long, so dead watch clients are noticed. */
  timeSeconds: number;
  timeoutSeconds: number;
  /** Clients may ping this often at most (grpc.http2.min_ping_interval_without_data_ms). */
  minClientPingIntervalSeconds: number;
}

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface ServiceConfig {
  listen: string;
  tls: TlsConfig | undefined;
  auth: AuthConfig;
  http: HttpConfig;
  keepalive: KeepaliveConfig;
  /** On SIGTERM/SIGINT: time for watches to end and state to flush before a forced exit. */
  shutdownGraceSeconds: number;
  /** An exchange not refreshed within this is reported stale (status, dashboard, metrics). */
  cacheTtlSeconds: number;
  logFormat: LogFormat;
  /** Durable state (last-known-good snapshots, change journal); undefined keeps nothing on disk. */
  dataDir: string | undefined;
  /** Historical definitions: Tardis-format files, directories or http(s) URLs. */
  historicalSources: string[];
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

export const DEFAULT_EXCHANGES = ['binance', 'binanceusdm', 'binancecoinm', 'deribit', 'okx', 'mexc', 'dydx'];

export const DEFAULT_CONFIG: ServiceConfig = {
  listen: '127.0.0.1:50051',
  tls: undefined,
  auth: { enabled: false, tokensFile: undefined },
  http: { enabled: true, listen: '127.0.0.1:9464', auth: true },
  keepalive: { timeSeconds: 30, timeoutSeconds: 10, minClientPingIntervalSeconds: 10 },
  shutdownGraceSeconds: 10,
  cacheTtlSeconds: 900,
  logFormat: 'auto',
  dataDir: undefined,
  historicalSources: [],
  maxRemovalRatio: 0.2,
  proxyUrl: undefined,
  logLevel: 'info',
  refresh: { intervalSeconds: 300, jitterRatio: 0.1, retryInitialSeconds: 5, retryMaxSeconds: 300, maxConcurrentLoads: 2 },
  watch: { progressIntervalSeconds: 10, historyBatches: 1000, historyChanges: 200_000, maxPendingMessages: 256 },
  webhookUrl: undefined,
  exchanges: Object.fromEntries(DEFAULT_EXCHANGES.map((id) => [id, { ccxt: {}, sandbox: false }])),
};

export class ConfigError extends Error {}

export function checkExchangeId(id: string, where: string): void {
  if (!isCcxtExchange(id)) {
    const near = similarNames(id, ccxtExchangeIds());
    throw new ConfigError(`${where}: "${id}" is not a CCXT exchange id${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; see ccxt.exchanges for the accepted ids`);
  }
}

export function loadConfigFile(path: string): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfigText(text, path);
}

export interface ConfigOverrides {
  exchanges?: string[];
  proxyUrl?: string;
  listen?: string;
  logLevel?: string;
  refreshIntervalSeconds?: number;
  dataDir?: string;
}

/** Flags win over the file: --exchanges keeps the file's settings for the ids it names. */
export function applyOverrides(config: ServiceConfig, overrides: ConfigOverrides): ServiceConfig {
  const result = { ...config, refresh: { ...config.refresh } };
  if (overrides.exchanges !== undefined) {
    result.exchanges = {};
    for (const id of overrides.exchanges) {
      checkExchangeId(id, '--exchanges');
      result.exchanges[id] = config.exchanges[id] ?? { ccxt: {}, sandbox: false };
    }
  }
  if (overrides.proxyUrl !== undefined) result.proxyUrl = overrides.proxyUrl;
  if (overrides.listen !== undefined) result.listen = overrides.listen;
  if (overrides.logLevel !== undefined) result.logLevel = overrides.logLevel;
  if (overrides.refreshIntervalSeconds !== undefined) result.refresh.intervalSeconds = overrides.refreshIntervalSeconds;
  if (overrides.dataDir !== undefined) result.dataDir = overrides.dataDir;
  return result;
}
