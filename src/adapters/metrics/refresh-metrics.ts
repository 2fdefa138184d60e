import { Counter, Histogram, type Registry } from 'prom-client';
import { Subscription, type Observable } from 'rxjs';
import type { RefreshEvent, RefreshOutcome } from '../../app/refresh-event.js';
import { CHANGE_KINDS, countByKind, type ChangeBatchEvent } from '../../domain/change-batch.js';

const OUTCOMES: readonly RefreshOutcome[] = ['applied', 'unchanged', 'held', 'failed'];

// A load takes from under a second (dYdX) to a minute (Deribit's options on a slow link).
const REFRESH_BUCKETS = [0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

export interface RefreshMetricSources {
  refreshes$: Observable<RefreshEvent>;
  changes$: Observable<ChangeBatchEvent>;
  /** Exchanges whose series start at 0, so rate() and increase() see their first event. */
  exchanges: readonly string[];
}

/** Refresh attempts and applied changes, counted as they happen; the returned subscription ends it. */
export function refreshMetrics(registry: Registry, sources: RefreshMetricSources): Subscription {
  const registers = [registry];
  const refreshes = new Counter({
    name: 'instruments_refreshes_total',
    help: 'Refresh attempts per exchange by outcome: applied (changes made), unchanged, held (suspect, not applied) or failed (retried with backoff).',
    labelNames: ['exchange', 'outcome'] as const,
    registers,
  });
  const duration = new Histogram({
    name: 'instruments_refresh_duration_seconds',
    help: 'Time one refresh attempt took per exchange and outcome (loadMarkets and conversion; for held and failed, from the attempt start).',
    labelNames: ['exchange', 'outcome'] as const,
    buckets: REFRESH_BUCKETS,
    registers,
  });
  const changes = new Counter({
    name: 'instruments_changes_total',
    help: 'Instrument changes applied to the store per exchange and kind (added, updated, removed).',
    labelNames: ['exchange', 'kind'] as const,
    registers,
  });
  for (const exchange of sources.exchanges) {
    for (const outcome of OUTCOMES) refreshes.inc({ exchange, outcome }, 0);
    for (const kind of CHANGE_KINDS) changes.inc({ exchange, kind }, 0);
  }

  const subscription = new Subscription();
  subscription.add(sources.refreshes$.subscribe((event) => {
    const labels = { exchange: event.exchange, outcome: event.outcome };
    refreshes.inc(labels);
    duration.observe(labels, Math.max(0, event.durationMs) / 1000);
  }));
  subscription.add(sources.changes$.subscribe((batch) => {
    const counts = countByKind(batch.changes);
    for (const kind of CHANGE_KINDS) if (counts[kind] > 0) changes.inc({ exchange: batch.ccxtExchange, kind }, counts[kind]);
  }));
  return subscription;
}
