import { ExchangeState, exchangeStateToJSON, type ExchangeStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';

export type Health = 'ok' | 'stale' | 'failing' | 'loading' | 'held';

/**
 * One word for an exchange, most serious first: nothing loaded yet; data older than the cache
 * TTL (what clients feel, whatever the cause); the last load failed; the last refresh was held
 * as suspect; otherwise ok.
 */
export function healthOf(status: ExchangeStatus, cacheTtlSeconds: number): Health {
  if (status.state === ExchangeState.EXCHANGE_STATE_LOADING) return 'loading';
  if (status.lastSuccessTime !== undefined && status.stalenessSeconds > cacheTtlSeconds) return 'stale';
  if (status.state === ExchangeState.EXCHANGE_STATE_FAILED) return 'failing';
  if (status.heldReason !== '') return 'held';
  return 'ok';
}

/** EXCHANGE_STATE_READY → "ready". */
export function stateName(state: ExchangeState): string {
  return exchangeStateToJSON(state).replace(/^EXCHANGE_STATE_/, '').toLowerCase();
}
