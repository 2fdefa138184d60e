// The service's own snapshots as history, on real data: it runs on the older binanceusdm
// recording with a data dir, stops, and starts again (a) with the exchange unreachable and
// (b) on the newer recording. The removals are computed from the raw responses alone.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentStatus } from '../../gen/ts/instruments/v1/instrument.js';
import { ExchangeState, InstrumentServiceClient, SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { createLogger } from '../../src/adapters/logger.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { DEFAULT_CONFIG, type ServiceConfig } from '../../src/app/config.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../support/fixtures.js';
import { rpcOf, TEST_CONFIG, type Rpc } from '../support/service-harness.js';
import { expectedChanges } from './support/expected-changes.js';

let replay: ReplayServer;
const dataDir = mkdtempSync(join(tmpdir(), 'snapshot-history-'));
const config = (proxyUrl: string): ServiceConfig => ({
  ...TEST_CONFIG, dataDir,
  refresh: { ...DEFAULT_CONFIG.refresh, retryInitialSeconds: 0.2, retryMaxSeconds: 0.5 },
  exchanges: { binanceusdm: { ccxt: { proxyUrl }, sandbox: false } },
});

async function run(proxyUrl: string): Promise<{ service: RunningService; rpc: Rpc; close(): Promise<void> }> {
  const service = await startService(config(proxyUrl), createLogger('silent'));
  const client = new InstrumentServiceClient(`127.0.0.1:${service.port}`, credentials.createInsecure());
  return { service, rpc: rpcOf(client), close: async () => { client.close(); await service.stop(500); } };
}

async function until<T>(probe: () => Promise<T>, done: (t: T) => boolean): Promise<T> {
  for (const deadline = Date.now() + 30_000; ;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(value).slice(0, 300)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const binanceusdm = (rpc: Rpc) => async () => (await rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'binanceusdm');

beforeAll(async () => {
  replay = await startReplayServer({ sets: { older: join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'), newer: join(EXCHANGES_DIR, 'binanceusdm') } });
  const first = await run(replay.proxyUrlFor('older'));
  await until(binanceusdm(first.rpc), (s) => s?.state === ExchangeState.EXCHANGE_STATE_READY);
  await first.close();
}, 60_000);
afterAll(() => replay.close());

describe('restart from the durable snapshot', () => {
  it('with the exchange unreachable: serves the last-known-good set at once, stale, last_updated unchanged, status showing why', async () => {
    const before = await run(replay.proxyUrlFor('older'));
    await until(binanceusdm(before.rpc), (s) => s?.state === ExchangeState.EXCHANGE_STATE_READY);
    const known = await before.rpc.getInstrument({ instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT' });
    await before.close();

    const after = await run('http://127.0.0.1:9/');
    const served = await after.rpc.getInstrument({ instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT' });
    expect(served.instrument).toEqual({ ...known.instrument, stale: true });
    expect(served.revision).toBe(known.revision);
    const status = await until(binanceusdm(after.rpc), (s) => (s?.consecutiveFailures ?? 0) > 0);
    expect(status).toMatchObject({ servingSnapshot: true, state: ExchangeState.EXCHANGE_STATE_FAILED, instrumentCount: 385 });
    expect(status?.lastError).toMatch(/ECONNREFUSED|fetch failed|NetworkError|ExchangeNotAvailable/);
    await after.close();
  });

  it('on the newer recording: delisted instruments stay known, closed; live ones are exactly live', async () => {
    const expected = expectedChanges('binanceusdm', new Date());
    const after = await run(replay.proxyUrlFor('newer'));
    await until(binanceusdm(after.rpc), (s) => s?.state === ExchangeState.EXCHANGE_STATE_READY);
    const list = async (view: SourceView) => {
      const all = [];
      for (let token = ''; ;) {
        const page = await after.rpc.listInstruments({ filter: { venues: ['BINANCE-FUTURES'] }, pageSize: 1000, pageToken: token, view });
        all.push(...page.instruments);
        if ((token = page.nextPageToken) === '') return new Map(all.map((d) => [d.exchangeRawSymbol, d]));
      }
    };
    const [merged, live, historical] = [await list(SourceView.SOURCE_VIEW_MERGED), await list(SourceView.SOURCE_VIEW_LIVE), await list(SourceView.SOURCE_VIEW_HISTORICAL)];
    expect([...historical.keys()].sort()).toEqual(expected.removed.map((r) => r.rawSymbol));
    for (const { rawSymbol, reason } of expected.removed) {
      const d = merged.get(rawSymbol);
      expect(d, rawSymbol).toMatchObject({ isLive: false, active: false, status: reason === 'EXPIRED' ? InstrumentStatus.INSTRUMENT_STATUS_EXPIRED : InstrumentStatus.INSTRUMENT_STATUS_DELISTED });
      expect(d?.availableToDatetime, rawSymbol).toBeDefined();
      expect(live.has(rawSymbol), rawSymbol).toBe(false);
    }
    for (const [symbol, d] of live) expect(merged.get(symbol), symbol).toEqual(d);
    expect(merged.size).toBe(live.size + expected.removed.length);
    await after.close();
  });
});
