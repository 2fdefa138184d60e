import { Subject } from 'rxjs';
import { ExchangeState, type ExchangeStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { DashboardSources } from '../../../src/adapters/http/dashboard-status.js';
import { zeroCounts, type TypeCounts } from '../../../src/store/instrument-counts.js';
import type { RefreshEvent } from '../../../src/app/refresh-event.js';
import type { ChangeBatchEvent } from '../../../src/domain/change-batch.js';

/** A GetStatus entry of a healthy exchange, with `overrides`. */
export function exchangeStatus(overrides: Partial<ExchangeStatus> = {}): ExchangeStatus {
  const now = new Date();
  return {
    ccxtExchange: 'testex', state: ExchangeState.EXCHANGE_STATE_READY, instrumentCount: 3, lastSuccessTime: now, lastAttemptTime: now,
    lastError: '', consecutiveFailures: 0, nextAttemptTime: undefined, venues: ['TEST-VENUE'], stalenessSeconds: 0, heldRefreshes: 0,
    heldReason: '', rejectedMarkets: {}, servingSnapshot: false, polledBy: '', ...overrides,
  };
}

export interface StubSources extends DashboardSources {
  refreshes$: Subject<RefreshEvent>;
  changes$: Subject<ChangeBatchEvent>;
}

/** Dashboard sources the test drives by hand: fixed statuses, events pushed through subjects. */
export function stubSources(statuses: ExchangeStatus[], counts: Partial<TypeCounts> = {}, cacheTtlSeconds = 60): StubSources {
  return {
    statuses: () => statuses,
    instrumentCounts: () => ({ ...zeroCounts(), ...counts }),
    refreshes$: new Subject<RefreshEvent>(),
    changes$: new Subject<ChangeBatchEvent>(),
    revision: () => 7,
    cacheTtlSeconds,
  };
}
