import { applyOverrides, DEFAULT_CONFIG, loadConfigFile, type ServiceConfig } from '../app/config.js';

export class UsageError extends Error {}

export const COMMON_OPTIONS = {
  config: { type: 'string' },
  exchanges: { type: 'string' },
  'proxy-url': { type: 'string' },
  'log-level': { type: 'string' },
  'data-dir': { type: 'string' },
} as const;

export interface CommonValues {
  config?: string | undefined;
  exchanges?: string | undefined;
  'proxy-url'?: string | undefined;
  'log-level'?: string | undefined;
  listen?: string | undefined;
  'refresh-interval'?: string | undefined;
  'data-dir'?: string | undefined;
}

function seconds(flag: string, text: string): number {
  const value = Number(text);
  if (!(value > 0)) throw new UsageError(`${flag} ${text} is not a positive number of seconds`);
  return value;
}

/** File (or defaults) first, then flags. */
export function resolveConfig(values: CommonValues): ServiceConfig {
  const base = values.config !== undefined ? loadConfigFile(values.config) : DEFAULT_CONFIG;
  return applyOverrides(base, {
    ...(values.exchanges !== undefined ? { exchanges: values.exchanges.split(',').map((s) => s.trim()).filter(Boolean) } : {}),
    ...(values['proxy-url'] !== undefined ? { proxyUrl: values['proxy-url'] } : {}),
    ...(values.listen !== undefined ? { listen: values.listen } : {}),
    ...(values['log-level'] !== undefined ? { logLevel: values['log-level'] } : {}),
    ...(values['data-dir'] !== undefined ? { dataDir: values['data-dir'] } : {}),
    ...(values['refresh-interval'] !== undefined ? { refreshIntervalSeconds: seconds('--refresh-interval', values['refresh-interval']) } : {}),
  });
}

