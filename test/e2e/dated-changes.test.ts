// End to end: the real service refreshes real exchanges (through CCXT, from the replay exchange)
// recorded at an older date, the replay exchange switches to the newer recording, and watchers
// must receive exactly the listings, delistings and parameter changes that comparing the two raw
// responses gives (expected-changes.ts reads the raw JSON only). Also measures how long a change
// takes from being applied to reaching a watcher.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, RemovalReason, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import { createLogger } from '../../src/adapters/logger.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { FIXTURES_DIR } from '../support/fixtures.js';
import { rpcOf, TEST_CONFIG } from '../support/service-harness.js';
import { watch, type Watch } from '../support/store-harness.js';
import { credentials } from '@grpc/grpc-js';
import { InstrumentServiceClient, ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { expectedChanges, PAIRS, type ChangePair } from './support/expected-changes.js';

const CASES: Array<{ pair: ChangePair; filter: { venues: string[]; instrumentTypes?: InstrumentType[] } }> = [
  { pair: 'binanceusdm', filter: { venues: ['BINANCE-FUTURES'] } },
  { pair: 'okx-swap', filter: { venues: ['OKX'], instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_PERPETUAL] } },
];

let replay: ReplayServer;
let service: RunningService;
let client: InstrumentServiceClient;
const watches = new Map<ChangePair, Watch>();
const received = new Map<ChangePair, Array<{ change: InstrumentChange; latencyMs: number }>>();

function collect(pair: ChangePair, w: Watch): void {
  const list: Array<{ change: InstrumentChange; latencyMs: number }> = [];
  received.set(pair, list);
  w.stream.on('data', (m: { changes?: { changes: InstrumentChange[]; appliedTime?: Date } }) => {
    const now = Date.now();
    for (const change of m.changes?.changes ?? []) list.push({ change, latencyMs: now - (m.changes?.appliedTime?.getTime() ?? now) });
  });
}

beforeAll(async () => {
  replay = await startReplayServer({ sets: Object.fromEntries(CASES.map(({ pair }) => [PAIRS[pair].ccxtExchange, join(FIXTURES_DIR, PAIRS[pair].older.set)])) });
  const exchanges = Object.fromEntries(CASES.map(({ pair }) => {
    const id = PAIRS[pair].ccxtExchange;
    return [id, { ccxt: { ...replay.ccxtOptionsFor(id), proxyUrl: replay.proxyUrlFor(id) }, sandbox: false }];
  }));
  service = await startService({
    ...TEST_CONFIG, exchanges,
    refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 1, jitterRatio: 0 },
  }, createLogger('silent'));
  client = new InstrumentServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  const rpc = rpcOf(client);
  for (const deadline = Date.now() + 60_000; ;) {
    const status = await rpc.getStatus();
    if (status.exchanges.every((e) => e.state === ExchangeState.EXCHANGE_STATE_READY)) break;
    if (Date.now() > deadline) throw new Error(JSON.stringify(status.exchanges));
    await new Promise((r) => setTimeout(r, 100));
  }
  // Watchers with a snapshot of the older state, then the switch to the newer recordings.
  for (const { pair, filter } of CASES) {
    const w = watch(client, { filter, sendInitialSnapshot: true });
    await new Promise<void>((resolve) => w.stream.on('data', (m: { snapshotEnd?: object }) => m.snapshotEnd && resolve()));
    watches.set(pair, w);
    collect(pair, w);
  }
  for (const { pair } of CASES) await replay.mount(PAIRS[pair].ccxtExchange, join(FIXTURES_DIR, PAIRS[pair].newer.set));
  // Two completed refreshes per exchange after the switch: the second one started after it, so
  // every exchange has loaded the newer recording (however slow the machine).
  const switched = new Date();
  const refreshedSince = async (since: Date): Promise<Date> => {
    for (const deadline = Date.now() + 60_000; ;) {
      const status = await rpc.getStatus();
      const times = status.exchanges.map((e) => e.lastSuccessTime?.getTime() ?? 0);
      if (times.every((t) => t > since.getTime())) return new Date(Math.max(...times));
      if (Date.now() > deadline) throw new Error(`no refresh since ${since.toISOString()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  await refreshedSince(await refreshedSince(switched));
  await new Promise((r) => setTimeout(r, 200)); // the last batches' delivery to the watchers
}, 120_000);

afterAll(async () => {
  client?.close();
  await service?.stop(1000);
  await replay?.close();
});

describe('WatchChanges across two real recordings', () => {
  it.each(CASES.map((c) => c.pair))('%s: exactly the changes the raw responses give', (pair) => {
    const expected = expectedChanges(pair, new Date());
    const changes = (received.get(pair) ?? []).map((r) => r.change);
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

  it('delivers each change within 1 s of the refresh that applied it', () => {
    const latencies = [...received.values()].flat().map((r) => r.latencyMs);
    expect(latencies.length).toBeGreaterThan(0);
    const max = Math.max(...latencies);
    console.info(`apply → watcher latency over ${latencies.length} changes: max ${max} ms`);
    expect(max).toBeLessThan(1000);
  });
});
