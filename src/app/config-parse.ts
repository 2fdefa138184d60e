import { parse } from 'yaml';
import { checkExchangeId, ConfigError, DEFAULT_CONFIG, type ServiceConfig } from './config.js';

// Hand-written validation of the small YAML file; every problem names its path, the bad value
// and what is accepted. (The operability issue replaces this with a schema.)

const CREDENTIAL_KEYS = ['apiKey', 'secret', 'password', 'uid', 'privateKey', 'walletAddress', 'token'];

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function section(path: string, value: unknown, accepted: string[]): Obj {
  if (value === undefined || value === null) return {};
  if (!isObj(value)) throw new ConfigError(`${path} must be a mapping with keys ${accepted.join(', ')}`);
  for (const key of Object.keys(value)) {
    if (!accepted.includes(key)) throw new ConfigError(`${path}.${key} is not a known key; accepted: ${accepted.join(', ')}`);
  }
  return value;
}

function number(path: string, value: unknown, fallback: number, check: { min: number; integer?: boolean; max?: number }): number {
  if (value === undefined) return fallback;
  const ok = typeof value === 'number' && value >= check.min && (check.max === undefined || value <= check.max) && (!check.integer || Number.isInteger(value));
  if (!ok) {
    const range = `${check.integer ? 'a whole number' : 'a number'} ≥ ${check.min}${check.max !== undefined ? ` and ≤ ${check.max}` : ''}`;
    throw new ConfigError(`${path} must be ${range}, got ${JSON.stringify(value)}`);
  }
  return value;
}

function text(path: string, value: unknown, fallback: string | undefined): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${path} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function strings(path: string, value: unknown, fallback: string[]): string[] {
  if (value === undefined) return fallback;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new ConfigError(`${path} must be a list of file paths, directories or http(s) URLs, got ${JSON.stringify(value)}`);
  }
  return value as string[];
}

function exchanges(source: string, value: unknown): ServiceConfig['exchanges'] {
  if (!isObj(value)) throw new ConfigError(`${source}: exchanges must map CCXT exchange ids to settings`);
  const result: ServiceConfig['exchanges'] = {};
  for (const [id, raw] of Object.entries(value)) {
    checkExchangeId(id, `${source}: exchanges`);
    const settings = section(`${source}: exchanges.${id}`, raw, ['ccxt', 'sandbox']);
    const ccxt = settings['ccxt'] ?? {};
    if (!isObj(ccxt)) throw new ConfigError(`${source}: exchanges.${id}.ccxt must be a mapping of CCXT constructor options`);
    // Secrets never live in a config file that gets committed and copied around.
    const secret = CREDENTIAL_KEYS.find((key) => key in ccxt);
    if (secret !== undefined) {
      throw new ConfigError(`${source}: exchanges.${id}.ccxt.${secret} is not accepted: credentials come only from the environment (${id.toUpperCase()}_API_KEY, ${id.toUpperCase()}_SECRET)`);
    }
    result[id] = { ccxt, sandbox: settings['sandbox'] === true };
  }
  return result;
}

/** Parses and validates the YAML config. */
export function parseConfigText(input: string, source: string): ServiceConfig {
  let raw: unknown;
  try {
    raw = parse(input);
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML: ${(error as Error).message}`);
  }
  const top = section(source, raw, ['server', 'refresh', 'watch', 'webhook', 'historical', 'guards', 'data_dir', 'proxy_url', 'log_level', 'exchanges']);
  const historical = section(`${source}: historical`, top['historical'], ['sources']);
  const guards = section(`${source}: guards`, top['guards'], ['max_removal_ratio']);
  const server = section(`${source}: server`, top['server'], ['listen']);
  const refresh = section(`${source}: refresh`, top['refresh'], ['interval_seconds', 'jitter_ratio', 'retry_initial_seconds', 'retry_max_seconds', 'max_concurrent_loads']);
  const watch = section(`${source}: watch`, top['watch'], ['progress_interval_seconds', 'history_batches', 'history_changes', 'max_pending_messages']);
  const webhook = section(`${source}: webhook`, top['webhook'], ['url']);
  const d = DEFAULT_CONFIG;
  const p = (s: string): string => `${source}: ${s}`;
  return {
    ...d,
    listen: text(p('server.listen'), server['listen'], d.listen) as string,
    dataDir: text(p('data_dir'), top['data_dir'], d.dataDir),
    historicalSources: strings(p('historical.sources'), historical['sources'], d.historicalSources),
    maxRemovalRatio: number(p('guards.max_removal_ratio'), guards['max_removal_ratio'], d.maxRemovalRatio, { min: 0, max: 1 }),
    proxyUrl: text(p('proxy_url'), top['proxy_url'], d.proxyUrl),
    logLevel: text(p('log_level'), top['log_level'], d.logLevel) as string,
    refresh: {
      intervalSeconds: number(p('refresh.interval_seconds'), refresh['interval_seconds'], d.refresh.intervalSeconds, { min: 0.1 }),
      jitterRatio: number(p('refresh.jitter_ratio'), refresh['jitter_ratio'], d.refresh.jitterRatio, { min: 0, max: 0.5 }),
      retryInitialSeconds: number(p('refresh.retry_initial_seconds'), refresh['retry_initial_seconds'], d.refresh.retryInitialSeconds, { min: 0.01 }),
      retryMaxSeconds: number(p('refresh.retry_max_seconds'), refresh['retry_max_seconds'], d.refresh.retryMaxSeconds, { min: 0.01 }),
      maxConcurrentLoads: number(p('refresh.max_concurrent_loads'), refresh['max_concurrent_loads'], d.refresh.maxConcurrentLoads, { min: 1, integer: true }),
    },
    watch: {
      progressIntervalSeconds: number(p('watch.progress_interval_seconds'), watch['progress_interval_seconds'], d.watch.progressIntervalSeconds, { min: 0.05 }),
      historyBatches: number(p('watch.history_batches'), watch['history_batches'], d.watch.historyBatches, { min: 1, integer: true }),
      historyChanges: number(p('watch.history_changes'), watch['history_changes'], d.watch.historyChanges, { min: 1, integer: true }),
      maxPendingMessages: number(p('watch.max_pending_messages'), watch['max_pending_messages'], d.watch.maxPendingMessages, { min: 1, integer: true }),
    },
    webhookUrl: text(p('webhook.url'), webhook['url'], d.webhookUrl),
    exchanges: top['exchanges'] === undefined ? d.exchanges : exchanges(source, top['exchanges']),
  };
}
