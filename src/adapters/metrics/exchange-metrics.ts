import { Counter, Gauge, type Registry } from 'prom-client';
import { ExchangeState, type ExchangeStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { instrumentCountsOf, TYPE_NAMES } from '../../store/instrument-counts.js';
import { REJECTION_REASONS, rejectionReason } from './rejection-reason.js';

export interface ExchangeMetricSources {
  /** What GetStatus reports per exchange. */
  statuses(): ExchangeStatus[];
  store: { sourceOf(ccxtExchange: string): ReadonlyMap<string, InstrumentDefinition> };
}

const STATES: ReadonlyArray<readonly [ExchangeState, string]> = [
  [ExchangeState.EXCHANGE_STATE_LOADING, 'loading'],
  [ExchangeState.EXCHANGE_STATE_READY, 'ready'],
  [ExchangeState.EXCHANGE_STATE_FAILED, 'failed'],
];

/**
 * Per-exchange state, computed at scrape time from the status GetStatus reports and from the
 * store, so the numbers cannot disagree with GetStatus. Times since a success are absent for an
 * exchange that has not loaded since the process started (there is no honest value).
 */
export function exchangeMetrics(registry: Registry, sources: ExchangeMetricSources): void {
  const registers = [registry];
  const countsOf = instrumentCountsOf(sources.store);
  const statuses = (): ExchangeStatus[] => sources.statuses();
  new Gauge({
    name: 'instruments_exchange_instruments',
    help: 'Instruments an exchange provides (as in GetStatus instrument_count), by instrument type.',
    labelNames: ['exchange', 'type'] as const,
    registers,
    collect() {
      this.reset();
      for (const { ccxtExchange: exchange } of sources.statuses()) {
        const counts = countsOf(exchange);
        for (const type of TYPE_NAMES) this.set({ exchange, type }, counts[type]);
      }
    },
  });
  new Gauge({
    name: 'instruments_exchange_state',
    help: '1 for the state an exchange is in (loading: first load under way; ready; failed: last load failed, last-known instruments still served), 0 for the others.',
    labelNames: ['exchange', 'state'] as const,
    registers,
    collect() {
      this.reset();
      for (const status of sources.statuses()) {
        for (const [value, state] of STATES) this.set({ exchange: status.ccxtExchange, state }, status.state === value ? 1 : 0);
      }
    },
  });
  perExchange(registry, statuses, 'instruments_exchange_last_success_timestamp_seconds',
    'Unix time of the exchange\'s last successful refresh (absent until its first one).',
    (s) => (s.lastSuccessTime === undefined ? undefined : s.lastSuccessTime.getTime() / 1000));
  perExchange(registry, statuses, 'instruments_exchange_staleness_seconds',
    'Seconds since the exchange\'s last successful refresh (absent until its first one).',
    (s) => (s.lastSuccessTime === undefined ? undefined : Math.max(0, (Date.now() - s.lastSuccessTime.getTime()) / 1000)));
  perExchange(registry, statuses, 'instruments_exchange_consecutive_failures',
    'Failed refresh attempts of the exchange since its last success.',
    (s) => s.consecutiveFailures);
  perExchange(registry, statuses, 'instruments_exchange_serving_snapshot',
    '1 while the exchange\'s instruments come from the durable snapshot and it has not refreshed since the restart.',
    (s) => (s.servingSnapshot ? 1 : 0));
  new Counter({
    name: 'instruments_rejected_markets_total',
    help: `Markets rejected per exchange and reason (${REJECTION_REASONS.join(', ')}), counted at each refresh: invalid ones (a known market keeps its previous definition) and malformed ones that could not be converted (conversion; the rest of the exchange loads).`,
    labelNames: ['exchange', 'reason'] as const,
    registers,
    collect() {
      // Mirrors the status' cumulative counts, folded into the fixed set of reasons.
      this.reset();
      for (const status of sources.statuses()) {
        const exchange = status.ccxtExchange;
        for (const reason of REJECTION_REASONS) this.inc({ exchange, reason }, 0);
        for (const [text, count] of Object.entries(status.rejectedMarkets)) this.inc({ exchange, reason: rejectionReason(text) }, count);
      }
    },
  });
}

/** A gauge with one series per exchange whose value is defined. */
function perExchange(
  registry: Registry,
  statuses: () => ExchangeStatus[],
  name: string,
  help: string,
  value: (status: ExchangeStatus) => number | undefined,
): void {
  new Gauge({
    name, help, labelNames: ['exchange'] as const, registers: [registry],
    collect() {
      this.reset();
      for (const status of statuses()) {
        const v = value(status);
        if (v !== undefined) this.set({ exchange: status.ccxtExchange }, v);
      }
    },
  });
}
