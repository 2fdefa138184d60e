// Exchange metrics from the real status tracker and the real refresh guard, without a service:
// states the replayed exchanges cannot reach (never loaded, markets rejected by the guard, which
// the converter's own checks pre-empt on the real path).
import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { PrecisionMode, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { createServiceMetrics } from '../../src/adapters/metrics/service-metrics.js';
import { convertMarkets } from '../../src/adapters/ccxt/load-definitions.js';
import { REJECTION_REASONS, rejectionReason } from '../../src/adapters/metrics/rejection-reason.js';
import { ExchangeStatusTracker } from '../../src/app/exchange-status-tracker.js';
import type { RefreshEvent } from '../../src/app/refresh-event.js';
import { guardRefresh } from '../../src/domain/refresh-guard.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';
import { parseExposition, sumOf, valueOf } from './support/exposition.js';

const tick = (symbol: string, overrides: Partial<InstrumentDefinition>): InstrumentDefinition =>
  perpetual(symbol, { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE, ...overrides });

/** Reasons as the guard words them, for markets each broken in one way, and the class each must get. */
function guardReasons(): Array<[string, string]> {
  const cases: Array<[InstrumentDefinition, string]> = [
    [tick('A', { tickSize: '0' }), 'tick_size'],
    [tick('B', { tickSize: '' }), 'tick_size'],
    [tick('C', { lotSize: '-1' }), 'lot_size'],
    [tick('D', { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS, tickSizeSteps: [{ abovePrice: '100', tickSize: '0' }] }), 'tick_size_steps'],
    [tick('E', { pricePrecisionMode: PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS, tickSize: '', priceSignificantDigits: 0 }), 'price_significant_digits'],
    [tick('F', { tickSize: '0', lotSize: '0' }), 'tick_size'],
  ];
  const duplicate = tick('G', {});
  const verdict = guardRefresh({ previous: new Map(), next: [...cases.map(([d]) => d), duplicate, duplicate], held: undefined, now: new Date() }, { maxRemovalRatio: 0.2 });
  const byKey = new Map(verdict.rejected.map((r) => [r.instrumentKey, r.reason]));
  return [
    ...cases.map(([d, expected]): [string, string] => [byKey.get(d.instrumentKey) ?? `not rejected: ${d.instrumentKey}`, expected]),
    [byKey.get(duplicate.instrumentKey) ?? 'duplicate not rejected', 'duplicate_key'],
    // Not the guard's but the loader's: a market that cannot be converted at all.
    [convertMarkets(['not a market'], { ccxtExchange: 'okx', precisionMode: 4, receivedAt: new Date(), has: {} }).rejected[0]?.reason ?? 'not rejected', 'conversion'],
  ];
}

function metricsOver(trackers: ExchangeStatusTracker[], store = new InstrumentStore()) {
  const refreshes$ = new Subject<RefreshEvent>();
  const metrics = createServiceMetrics({
    store, exchanges: { statuses: () => trackers.map((t) => t.snapshot()) }, refreshes$,
    watchers: () => 0, refreshIntervalSeconds: 300, cacheTtlSeconds: 900, defaultMetrics: false,
  });
  return { metrics, refreshes$, store };
}

describe('rejected markets', () => {
  it('classifies every reason the guard gives into its fixed label', () => {
    const reasons = guardReasons();
    for (const [reason, expected] of reasons) expect(rejectionReason(reason), reason).toBe(expected);
    expect(rejectionReason('something new')).toBe('other');
    // Every label but "other" is reachable from a real guard reason.
    expect(new Set(reasons.map(([, expected]) => expected))).toEqual(new Set(REJECTION_REASONS.filter((r) => r !== 'other')));
  });

  it('mirrors the status counts per exchange and class, zero for the classes not seen', async () => {
    const okx = new ExchangeStatusTracker('okx');
    const reasons = guardReasons().map(([reason]) => reason);
    okx.rejected(reasons);
    okx.rejected(reasons.slice(0, 1));
    const { metrics } = metricsOver([okx]);
    const e = parseExposition(await metrics.text());
    expect(valueOf(e, 'instruments_rejected_markets_total', { exchange: 'okx', reason: 'tick_size' })).toBe(4);
    expect(valueOf(e, 'instruments_rejected_markets_total', { exchange: 'okx', reason: 'duplicate_key' })).toBe(1);
    expect(valueOf(e, 'instruments_rejected_markets_total', { exchange: 'okx', reason: 'other' })).toBe(0);
    expect(sumOf(e, 'instruments_rejected_markets_total', { exchange: 'okx' })).toBe(reasons.length + 1);
    // The reasons carry values ("0", "-1"); the labels must not.
    expect(e.samples.filter((s) => s.name === 'instruments_rejected_markets_total').every((s) => !/["\d]/.test(s.labels['reason'] ?? ''))).toBe(true);
    metrics.close();
  });
});

describe('exchanges before and after their first load', () => {
  it('has no last-success or staleness series before the first success, and zeros to count from', async () => {
    const deribit = new ExchangeStatusTracker('deribit');
    deribit.attempt(new Date());
    const { metrics } = metricsOver([deribit]);
    let e = parseExposition(await metrics.text());
    expect(valueOf(e, 'instruments_exchange_state', { exchange: 'deribit', state: 'loading' })).toBe(1);
    expect(valueOf(e, 'instruments_exchange_last_success_timestamp_seconds', { exchange: 'deribit' })).toBeUndefined();
    expect(valueOf(e, 'instruments_exchange_staleness_seconds', { exchange: 'deribit' })).toBeUndefined();
    expect(valueOf(e, 'instruments_exchange_instruments', { exchange: 'deribit', type: 'option' })).toBe(0);
    expect(valueOf(e, 'instruments_refreshes_total', { exchange: 'deribit', outcome: 'failed' })).toBe(0);
    expect(valueOf(e, 'instruments_changes_total', { exchange: 'deribit', kind: 'added' })).toBe(0);

    // A last success 90 s ago: staleness is at least that, however long the scrape takes.
    const lastSuccess = new Date(Date.now() - 90_000);
    deribit.failed(new Error('boom'), new Date());
    deribit.failed(new Error('boom'), new Date());
    deribit.succeeded(lastSuccess, 0, new Date());
    deribit.failed(new Error('boom again'), new Date());
    e = parseExposition(await metrics.text());
    expect(valueOf(e, 'instruments_exchange_state', { exchange: 'deribit', state: 'failed' })).toBe(1);
    expect(valueOf(e, 'instruments_exchange_state', { exchange: 'deribit', state: 'loading' })).toBe(0);
    expect(valueOf(e, 'instruments_exchange_consecutive_failures', { exchange: 'deribit' })).toBe(1);
    expect(valueOf(e, 'instruments_exchange_last_success_timestamp_seconds', { exchange: 'deribit' })).toBe(lastSuccess.getTime() / 1000);
    expect(valueOf(e, 'instruments_exchange_staleness_seconds', { exchange: 'deribit' })).toBeGreaterThanOrEqual(90);
    metrics.close();
  });

  it('reports an exchange served from its snapshot until it refreshes', async () => {
    const okx = new ExchangeStatusTracker('okx');
    okx.servingSnapshot(10);
    const { metrics } = metricsOver([okx]);
    expect(valueOf(parseExposition(await metrics.text()), 'instruments_exchange_serving_snapshot', { exchange: 'okx' })).toBe(1);
    okx.succeeded(new Date(), 10, new Date());
    expect(valueOf(parseExposition(await metrics.text()), 'instruments_exchange_serving_snapshot', { exchange: 'okx' })).toBe(0);
    metrics.close();
  });
});

describe('close()', () => {
  it('unsubscribes from the refresh and change streams', () => {
    const { metrics, refreshes$ } = metricsOver([]);
    const changes = new Subject<never>();
    const store = { revision: 0, changes$: changes, sourceOf: () => new Map() };
    const other = createServiceMetrics({
      store, exchanges: { statuses: () => [] }, refreshes$, watchers: () => 0, refreshIntervalSeconds: 1, cacheTtlSeconds: 1, defaultMetrics: false,
    });
    expect(refreshes$.observed && changes.observed).toBe(true);
    metrics.close();
    other.close();
    expect(refreshes$.observed || changes.observed).toBe(false);
  });
});
