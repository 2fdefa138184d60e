// End to end: the real service refreshes real exchanges (through CCXT, from the replay exchange)
// recorded at an older date, the replay exchange switches to the newer recording, and watchers
// must receive exactly the listings, delistings and parameter changes that comparing the two raw
// responses gives (expected-changes.ts reads the raw JSON only), each once, in the order of the
// batches that applied them. How long a change takes from being applied to reaching a watcher is
// reported, not asserted (bench/watch-fanout.mjs measures it).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, RemovalReason, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { RefreshEvent } from '../../src/app/refresh-event.js';
import type { RunningService } from '../../src/app/service.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { launch, waitForExchanges, type Served } from '../support/service-harness.js';
import { watch, type Watch } from '../support/store-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { expectedChanges, PAIRS, type ChangePair } from './support/expected-changes.js';

interface Filter { venues: string[]; instrumentTypes?: InstrumentType[] }
const CASES: Array<{ pair: ChangePair; filter: Filter }> = [
  { pair: 'binanceusdm', filter: { venues: ['BINANCE-FUTURES'] } },
  { pair: 'okx-swap', filter: { venues: ['OKX'], instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_PERPETUAL] } },
];
const idOf = (pair: ChangePair): string => PAIRS[pair].ccxtExchange;
/** The watch filter, as the server applies it (the instrument before or after the change matches). */
const matches = (filter: Filter, c: InstrumentChange): boolean => [c.instrument, c.previous].some((d) =>
  d !== undefined && filter.venues.includes(d.venue) && (filter.instrumentTypes?.includes(d.instrumentType) ?? true));

let served: Served | undefined;
const watches = new Map<ChangePair, Watch>();
/** The revision of each watcher's initial snapshot: its changes are the batches after it. */
const snapshotRevision = new Map<ChangePair, number>();
/** Every batch the store applied from the watchers' start on, in order (the service's own callback). */
const batches: ChangeBatchEvent[] = [];
/** applied_time → receipt at the watcher, per change (reported only). */
const latenciesMs: number[] = [];

beforeAll(async () => {
  // Each exchange on its older recording first, then flipped to the newer one.
  const recordings = Object.fromEntries(CASES.map(({ pair }) => [idOf(pair), [join(FIXTURES_DIR, PAIRS[pair].older.set), join(FIXTURES_DIR, PAIRS[pair].newer.set)]]));
  served = await launch({
    exchanges: recordings,
    config: {
      // Refreshed every second, so the switch is picked up soon after it.
      live: { update_interval_seconds: 1 },
      // A watcher is told every 0.1 s the revision it has been handed every batch through: the
      // proof of delivery awaited below (a filtered watcher gets no message for other batches).
      watch: { progress_interval_seconds: 0.1 },
    },
  });
  const service = served.service as RunningService;
  const ids = Object.keys(recordings);
  await waitForExchanges(served, ids);
  service.addChangeCallback((batch) => batches.push(batch));
  // Watchers with a snapshot of the older state.
  for (const { pair, filter } of CASES) {
    const w = watch(served.client, { filter, sendInitialSnapshot: true });
    w.stream.on('data', (m: { changes?: { changes: InstrumentChange[]; appliedTime?: Date } }) => {
      const now = Date.now();
      const latencyMs = now - (m.changes?.appliedTime?.getTime() ?? now);
      latenciesMs.push(...(m.changes?.changes ?? []).map(() => latencyMs));
    });
    const end = await waitFor(() => w.messages.find((m) => m.snapshotEnd !== undefined), `${pair}: the watcher's initial snapshot`);
    snapshotRevision.set(pair, end.revision);
    watches.set(pair, w);
  }
  // The switch to the newer recordings. Loads of one exchange never overlap, so of the refreshes
  // that end after it, the second started after it: one of those, applied or unchanged (not held
  // as suspect, nor failed), means the exchange holds the newer recording with every change applied.
  const refreshes: RefreshEvent[] = [];
  const subscription = service.refreshes$.subscribe((e) => refreshes.push(e));
  try {
    for (const id of ids) await served.recorded.flip(id);
    const from = refreshes.length;
    await waitFor(() => {
      const after = (id: string) => refreshes.slice(from).filter((e) => e.exchange === id);
      const settled = ids.every((id) => after(id).slice(1).some((e) => e.outcome === 'applied' || e.outcome === 'unchanged'));
      return settled || notYet(Object.fromEntries(ids.map((id) => [id, after(id).map((e) => e.outcome)])));
    }, 'a refresh of each exchange that started after the switch, applied or unchanged');
  } finally {
    subscription.unsubscribe();
  }
  // Delivered: every watcher has been handed every batch through the revision now served.
  const { revision } = await served.rpc.getStatus();
  for (const [pair, w] of watches) {
    await waitFor(() => w.messages.some((m) => m.revision >= revision) || notYet(w.messages.at(-1)), `${pair}: the watcher handed everything through revision ${revision}`);
  }
}, 6 * PATIENCE_MS); // a failure detector: six waits at most (first loads, two snapshots, the switch, two deliveries)

afterAll(() => served?.close());

/** The changes a watcher received after its snapshot, batch by batch: [revision, keys]. */
const receivedBatches = (pair: ChangePair): Array<[number, string[]]> => (watches.get(pair)?.messages ?? [])
  .filter((m) => m.changes !== undefined)
  .map((m) => [m.revision, (m.changes?.changes ?? []).map((c) => c.instrumentKey)]);
const changesOf = (pair: ChangePair): InstrumentChange[] => (watches.get(pair)?.messages ?? []).flatMap((m) => m.changes?.changes ?? []);

describe('WatchChanges across two real recordings', () => {
  it.each(CASES.map((c) => c.pair))('%s: exactly the changes the raw responses give', (pair) => {
    const expected = expectedChanges(pair, new Date());
    const changes = changesOf(pair);
    const keys = changes.map((c) => c.instrumentKey);
    expect(new Set(keys).size, 'no instrument changed twice').toBe(keys.length);
    const raw = (c: InstrumentChange) => (c.instrument ?? c.previous)?.exchangeRawSymbol ?? '';
    const of = (type: ChangeType) => changes.filter((c) => c.changeType === type);
    expect(of(ChangeType.CHANGE_TYPE_ADDED).map(raw).sort()).toEqual(expected.added);
    expect(of(ChangeType.CHANGE_TYPE_REMOVED).map((c) => ({
      rawSymbol: raw(c), reason: c.removalReason === RemovalReason.REMOVAL_REASON_EXPIRED ? 'EXPIRED' : 'DELISTED',
    })).sort((a, b) => a.rawSymbol.localeCompare(b.rawSymbol))).toEqual(expected.removed);
    expect(of(ChangeType.CHANGE_TYPE_UPDATED).map((c) => ({ rawSymbol: raw(c), fields: [...c.changedFields].sort() }))
      .sort((a, b) => a.rawSymbol.localeCompare(b.rawSymbol))).toEqual(expected.updated);
    // A removal carries the last definition, closed at available_to_datetime.
    for (const c of of(ChangeType.CHANGE_TYPE_REMOVED)) expect(c.instrument?.availableToDatetime).toBeDefined();
  });

  it('delivers every applied change to its watcher once, in the order of the batches that applied it', () => {
    for (const { pair, filter } of CASES) {
      // What the store applied for this exchange after the watcher's snapshot, as the watcher's filter sees it.
      const applied = batches
        .filter((b) => b.ccxtExchange === idOf(pair) && b.revision > (snapshotRevision.get(pair) ?? 0))
        .map((b): [number, string[]] => [b.revision, b.changes.filter((c) => matches(filter, c)).map((c) => c.instrumentKey)])
        .filter(([, keys]) => keys.length > 0);
      expect(applied.length, `${pair}: the switch applied changes`).toBeGreaterThan(0);
      expect(receivedBatches(pair), pair).toEqual(applied);
    }
    // A figure, not a guarantee: the same measurement with targets is bench/watch-fanout.mjs.
    console.info(`apply → watcher latency over ${latenciesMs.length} changes: max ${Math.max(...latenciesMs)} ms`);
  });
});
