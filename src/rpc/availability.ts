import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { notFound, quoted, unavailable, type ServiceError } from '../domain/service-error.js';
import type { ExchangeStatusSource } from './rpc-context.js';

export interface MissScope {
  venue?: string;
  ccxtExchange?: string;
}

/**
 * Why a lookup found nothing: the instrument is unknown (NOT_FOUND, with close matches), or the
 * exchange that would serve it has not loaded yet (UNAVAILABLE, with its last error), or nothing
 * configured here serves that venue or exchange (NOT_FOUND naming what is served).
 */
export function missError(what: string, scope: MissScope, exchanges: ExchangeStatusSource, suggestions: string[]): ServiceError {
  const statuses = exchanges.statuses();
  const relevant = statuses.filter((s) =>
    (scope.venue === undefined || s.venues.includes(scope.venue)) &&
    (scope.ccxtExchange === undefined || s.ccxtExchange === scope.ccxtExchange));
  if (relevant.length === 0) {
    const known = exchanges.known();
    const served = scope.ccxtExchange !== undefined
      ? `ccxt_exchange ${quoted(scope.ccxtExchange)} is not configured here (configured: ${[...known.ccxtExchanges].sort().join(', ')})`
      : `venue ${quoted(scope.venue ?? '')} is not served here (served venues: ${[...known.venues].sort().join(', ')})`;
    return notFound(`${what} not found: ${served}`);
  }
  // One loaded source is enough to answer (binanceusdm serves BINANCE-FUTURES whether or not
  // binance has loaded too); only when none has is the answer "not yet".
  const pending = relevant.filter((s) => s.lastSuccessTime === undefined);
  if (pending.length === relevant.length) {
    const reasons = pending.map((s) => {
      const state = s.state === ExchangeState.EXCHANGE_STATE_FAILED ? `failed: ${s.lastError}` : 'is loading';
      const next = s.nextAttemptTime ? `; next attempt at ${s.nextAttemptTime.toISOString()}` : '';
      return `exchange "${s.ccxtExchange}" has not loaded yet (${state}${next})`;
    });
    return unavailable(`${what} is not available yet: ${reasons.join('; ')}`);
  }
  const hint = suggestions.length > 0 ? `; close matches: ${suggestions.join(', ')}` : '';
  return notFound(`${what} not found${hint}`);
}
