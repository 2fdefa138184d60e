import { existsSync } from 'node:fs';
import { loadConfig } from '../app/config-load.js';
import type { ServiceConfig } from '../app/config.js';

export class UsageError extends Error {}

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  exchanges: { type: 'string' },
  'proxy-url': { type: 'string' },
  'log-level': { type: 'string' },
  'log-format': { type: 'string' },
  'data-dir': { type: 'string' },
  'http-listen': { type: 'string' },
  set: { type: 'string', multiple: true },
} as const;

export interface CommonValues {
  config?: string | undefined;
  exchanges?: string | undefined;
  'proxy-url'?: string | undefined;
  'log-level'?: string | undefined;
  'log-format'?: string | undefined;
  listen?: string | undefined;
  'http-listen'?: string | undefined;
  'refresh-interval'?: string | undefined;
  'data-dir'?: string | undefined;
  set?: string[] | undefined;
}

/** Each flag and the config key it overrides. */
const FLAG_KEYS: ReadonlyArray<readonly [keyof CommonValues, string]> = [
  ['exchanges', 'live.exchanges'],
  ['proxy-url', 'live.proxy_url'],
  ['log-level', 'logging.level'],
  ['log-format', 'logging.format'],
  ['listen', 'server.listen'],
  ['http-listen', 'http.listen'],
  ['refresh-interval', 'live.update_interval_seconds'],
  ['data-dir', 'data_dir'],
];

export const DEFAULT_CONFIG_FILE = 'instruments.yaml';

/** --config, else INSTRUMENTS_CONFIG, else ./instruments.yaml when present, else defaults only. */
export function configFile(values: CommonValues, env: NodeJS.ProcessEnv): string | undefined {
  if (values.config !== undefined) return values.config;
  if (env['INSTRUMENTS_CONFIG']) return env['INSTRUMENTS_CONFIG'];
  return existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined;
}

/** The flags as [key, text, flag] overrides; `--set key=value` reaches any key. */
export function flagOverrides(values: CommonValues): Array<readonly [string, string, string]> {
  const overrides: Array<readonly [string, string, string]> = [];
  for (const [flag, key] of FLAG_KEYS) {
    const text = values[flag];
    if (typeof text === 'string') overrides.push([key, text, `--${flag}`]);
  }
  for (const assignment of values.set ?? []) {
    const at = assignment.indexOf('=');
    if (at <= 0) throw new UsageError(`--set ${assignment}: expected key=value, e.g. --set live.update_interval_seconds=60`);
    overrides.push([assignment.slice(0, at), assignment.slice(at + 1), `--set ${assignment.slice(0, at)}`]);
  }
  return overrides;
}

/** File < environment < flags. */
export function resolveConfig(values: CommonValues, env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  return loadConfig({ file: configFile(values, env), env, flags: flagOverrides(values) });
}
