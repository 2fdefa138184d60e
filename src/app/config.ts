import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ccxtExchangeIds, isCcxtExchange } from '../adapters/ccxt/create-exchange.js';
import { similarNames } from '../domain/close-matches.js';

export interface ExchangeConfig {
  /** CCXT constructor options, passed through. */
  ccxt: Record<string, unknown>;
  sandbox: boolean;
}

export interface ServiceConfig {
  listen: string;
  proxyUrl: string | undefined;
  refreshIntervalSeconds: number;
  retryInitialSeconds: number;
  retryMaxSeconds: number;
  logLevel: string;
  exchanges: Record<string, ExchangeConfig>;
}

export const DEFAULT_EXCHANGES = ['binance', 'binanceusdm', 'binancecoinm', 'deribit', 'okx', 'mexc', 'dydx'];

export const DEFAULT_CONFIG: ServiceConfig = {
  listen: '127.0.0.1:50051',
  proxyUrl: undefined,
  refreshIntervalSeconds: 300,
  retryInitialSeconds: 5,
  retryMaxSeconds: 300,
  logLevel: 'info',
  exchanges: Object.fromEntries(DEFAULT_EXCHANGES.map((id) => [id, { ccxt: {}, sandbox: false }])),
};

export class ConfigError extends Error {}

const CREDENTIAL_KEYS = ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'walletAddress', 'token'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function keysOf(path: string, value: unknown, accepted: string[]): Obj {
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new ConfigError(`${path} must be a mapping with keys ${accepted.join(', ')}`);
  for (const key of Object.keys(value)) {
    if (!accepted.includes(key)) throw new ConfigError(`${path}.${key} is not a known key; accepted: ${accepted.join(', ')}`);
  }
  return value;
}

function positive(path: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0)) throw new ConfigError(`${path} must be a positive number of seconds, got ${JSON.stringify(value)}`);
  return value;
}

export function checkExchangeId(id: string, where: string): void {
  if (!isCcxtExchange(id)) {
    const near = similarNames(id, ccxtExchangeIds());
    throw new ConfigError(`${where}: "${id}" is not a CCXT exchange id${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}; see ccxt.exchanges for the accepted ids`);
  }
}

/** Parses and validates the YAML config; every problem names its path and what is accepted. */
export function parseConfig(text: string, source: string): ServiceConfig {
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  const top = keysOf(source, raw, ['server', 'refresh', 'proxy_url', 'log_level', 'exchanges']);
  const server = keysOf(`${source}: server`, top['server'], ['listen']);
  const refresh = keysOf(`${source}: refresh`, top['refresh'], ['interval_seconds', 'retry_initial_seconds', 'retry_max_seconds']);
  const config: ServiceConfig = { ...DEFAULT_CONFIG };
  if (server['listen'] !== undefined) {
    if (typeof server['listen'] !== 'string') throw new ConfigError(`${source}: server.listen must be "HOST:PORT"`);
    config.listen = server['listen'];
  }
  config.refreshIntervalSeconds = positive(`${source}: refresh.interval_seconds`, refresh['interval_seconds'], config.refreshIntervalSeconds);
  config.retryInitialSeconds = positive(`${source}: refresh.retry_initial_seconds`, refresh['retry_initial_seconds'], config.retryInitialSeconds);
  config.retryMaxSeconds = positive(`${source}: refresh.retry_max_seconds`, refresh['retry_max_seconds'], config.retryMaxSeconds);
  if (top['proxy_url'] !== undefined) config.proxyUrl = String(top['proxy_url']);
  if (top['log_level'] !== undefined) config.logLevel = String(top['log_level']);
  if (top['exchanges'] !== undefined) {
    if (!isObj(top['exchanges'])) throw new ConfigError(`${source}: exchanges must map CCXT exchange ids to settings`);
    config.exchanges = {};
    for (const [id, value] of Object.entries(top['exchanges'])) {
      checkExchangeId(id, `${source}: exchanges`);
      const settings = keysOf(`${source}: exchanges.${id}`, value, ['ccxt', 'sandbox']);
      if (settings['ccxt'] !== undefined && !isObj(settings['ccxt'])) {
        throw new ConfigError(`${source}: exchanges.${id}.ccxt must be a mapping of CCXT constructor options`);
      }
      // Secrets never live in a config file that gets committed and copied around.
      const secret = CREDENTIAL_KEYS.find((key) => isObj(settings['ccxt']) && key in settings['ccxt']);
      if (secret !== undefined) {
        throw new ConfigError(`${source}: exchanges.${id}.ccxt.${secret} is not accepted: credentials come only from the environment (${id.toUpperCase()}_API_KEY, ${id.toUpperCase()}_SECRET)`);
      }
      config.exchanges[id] = { ccxt: (settings['ccxt'] as Obj | undefined) ?? {}, sandbox: settings['sandbox'] === true };
    }
  }
  return config;
}

export function loadConfigFile(path: string): ServiceConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  return parseConfig(text, path);
}

export interface ConfigOverrides {
  exchanges?: string[];
  proxyUrl?: string;
  listen?: string;
  logLevel?: string;
}

/** Flags win over the file: --exchanges keeps the file's settings for the ids it names. */
export function applyOverrides(config: ServiceConfig, overrides: ConfigOverrides): ServiceConfig {
  const result = { ...config };
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
  return result;
}
