import ccxt, { type Exchange } from 'ccxt';
import { strictResponses } from './strict-responses.js';
import { tolerateMalformedMarkets } from './tolerant-markets.js';

export interface ExchangeSettings {
  /** CCXT constructor options, passed through (e.g. { options: { defaultUnderlying: [...] } }). */
  ccxt?: Record<string, unknown>;
  sandbox?: boolean;
  /** CCXT's proxyUrl: every request goes to `${proxyUrl}${url}`. */
  proxyUrl?: string;
}

type ExchangeClass = new (config: Record<string, unknown>) => Exchange;

/** Credentials come only from the environment (<ID>_API_KEY, <ID>_SECRET) and are never logged. */
function credentials(id: string, env: NodeJS.ProcessEnv): Record<string, string> {
  const prefix = id.toUpperCase();
  const apiKey = env[`${prefix}_API_KEY`];
  const secret = env[`${prefix}_SECRET`];
  return { ...(apiKey ? { apiKey } : {}), ...(secret ? { secret } : {}) };
}

export function createExchange(id: string, settings: ExchangeSettings, env: NodeJS.ProcessEnv = process.env): Exchange {
  const Class = (ccxt as unknown as Record<string, ExchangeClass | undefined>)[id];
  if (!(ccxt.exchanges as string[]).includes(id) || Class === undefined) throw new Error(`"${id}" is not a CCXT exchange id`);
  const exchange = new Class({
    ...(settings.ccxt ?? {}),
    ...credentials(id, env),
    ...(settings.proxyUrl ? { proxyUrl: settings.proxyUrl } : {}),
  });
  if (settings.sandbox) exchange.setSandboxMode(true);
  return tolerateMalformedMarkets(strictResponses(exchange));
}
