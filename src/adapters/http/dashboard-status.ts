import type { Observable } from 'rxjs';
import type { ExchangeStatus, StoreStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { RefreshEvent, RefreshOutcome } from '../../app/refresh-event.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import type { ChangeSummary } from './change-summary.js';
import { healthOf, stateName, type Health } from './exchange-health.js';
import type { TypeCounts } from '../../store/instrument-counts.js';

/** What the dashboard reads from the running service. */
export interface DashboardSources {
  statuses(): ExchangeStatus[];
  /** Instruments one exchange provides, by type. */
  instrumentCounts(ccxtExchange: string): TypeCounts;
  refreshes$: Observable<RefreshEvent>;
  changes$: Observable<ChangeBatchEvent>;
  revision(): number;
  /** An exchange not refreshed within this shows as stale. */
  cacheTtlSeconds: number;
  /** Redis mode: where this replica stands with the shared state. */
  store?(): StoreStatus;
}

export interface ExchangeRow {
  id: string;
  venues: string[];
  health: Health;
  /** loading | ready | failed, as GetStatus says. */
  state: string;
  /** Last successful refresh; null before the first. */
  lastRefresh: string | null;
  lastAttempt: string | null;
  nextAttempt: string | null;
  stalenessSeconds: number;
  instruments: number;
  counts: TypeCounts;
  lastError: string;
  consecutiveFailures: number;
  heldReason: string;
  heldRefreshes: number;
  servingSnapshot: boolean;
  /** Redis mode: the replica polling it ('' when none, and in embedded mode). */
  polledBy: string;
}

/** The `status` event: every exchange now. */
export interface StatusOverview {
  revision: number;
  generatedAt: string;
  cacheTtlSeconds: number;
  exchanges: ExchangeRow[];
  /** Redis mode only: this replica, and whether Redis answers. */
  replica?: { id: string; connected: boolean; lastError: string };
}

export interface RefreshPoint {
  at: string;
  durationMs: number;
  outcome: RefreshOutcome;
  changes: number;
}

/** GET /api/status, and the first `status` event of a connection: the overview plus history. */
export interface StatusSnapshot extends StatusOverview {
  /** Recent refreshes per exchange, oldest first (the chart). */
  refreshes: Record<string, RefreshPoint[]>;
  /** Recent change batches, newest first (the feed). */
  recentChanges: ChangeSummary[];
}

const iso = (time: Date | undefined): string | null => time?.toISOString() ?? null;

export function exchangeRow(status: ExchangeStatus, sources: Pick<DashboardSources, 'instrumentCounts' | 'cacheTtlSeconds'>): ExchangeRow {
  return {
    id: status.ccxtExchange,
    venues: [...status.venues],
    health: healthOf(status, sources.cacheTtlSeconds),
    state: stateName(status.state),
    lastRefresh: iso(status.lastSuccessTime),
    lastAttempt: iso(status.lastAttemptTime),
    nextAttempt: iso(status.nextAttemptTime),
    stalenessSeconds: status.stalenessSeconds,
    instruments: status.instrumentCount,
    counts: sources.instrumentCounts(status.ccxtExchange),
    lastError: status.lastError,
    consecutiveFailures: status.consecutiveFailures,
    heldReason: status.heldReason,
    heldRefreshes: status.heldRefreshes,
    servingSnapshot: status.servingSnapshot,
    polledBy: status.polledBy,
  };
}

export function statusOverview(sources: DashboardSources, now: Date = new Date()): StatusOverview {
  return {
    revision: sources.revision(),
    generatedAt: now.toISOString(),
    cacheTtlSeconds: sources.cacheTtlSeconds,
    exchanges: sources.statuses().map((s) => exchangeRow(s, sources)),
    ...replicaOf(sources.store?.()),
  };
}

function replicaOf(store: StoreStatus | undefined): Pick<StatusOverview, 'replica'> {
  return store === undefined || store.mode !== 'redis' ? {} : { replica: { id: store.replicaId, connected: store.connected, lastError: store.lastError } };
}
