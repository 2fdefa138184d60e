// The service's own snapshots as history, on real data: it runs on the older binanceusdm
// recording with a data dir, stops, and starts again (a) with the exchange unreachable and
// (b) on the newer recording. The removals are computed from the raw responses alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentStatus } from '../../gen/ts/instruments/v1/instrument.js';
import { ExchangeState, SourceView, type ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Served, type UserConfig } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { expectedChanges } from './support/expected-changes.js';

// One replay for every run (binanceusdm on its older recording, then its newer one) and one data
// dir they all share, so each start finds what the previous run left.
let recorded: RecordedExchanges;
const dataDir = mkdtempSync(join(tmpdir(), 'snapshot-history-'));
const run = (config: UserConfig = {}): Promise<Served> => launch({ recorded, exchanges: ['binanceusdm'], dataDir, config, logLevel: 'silent' });
// Nothing listens on the discard port: every request of the exchange is refused.
const UNREACHABLE = { live: { exchanges: { binanceusdm: { ccxt: { proxyUrl: 'http://127.0.0.1:9/' } } } } };

const binanceusdm = async (served: Served): Promise<ExchangeStatus | undefined> => (await served.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'binanceusdm');

beforeAll(async () => {
  recorded = await RecordedExchanges.start();
  const first = await run();
  await waitForExchanges(first, ['binanceusdm']);
  await first.close();
}, 2 * PATIENCE_MS); // a failure detector: one wait, and a start and a stop (each far less than one)
afterAll(async () => {
  await recorded?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restart from the durable snapshot', () => {
  it('with the exchange unreachable: serves the last-known-good set at once, stale, last_updated unchanged, status showing why', async () => {
    const before = await run();
    await waitForExchanges(before, ['binanceusdm']);
    const known = await before.rpc.getInstrument({ instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT' });
    await before.close();

    const after = await run(UNREACHABLE);
    try {
      const served = await after.rpc.getInstrument({ instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT' });
      expect(served.instrument).toEqual({ ...known.instrument, stale: true });
      expect(served.revision).toBe(known.revision);
      const status = await waitFor(async () => {
        const s = await binanceusdm(after);
        return (s?.consecutiveFailures ?? 0) > 0 ? s : notYet(s);
      }, 'binanceusdm to fail against the unreachable exchange');
      expect(status).toMatchObject({ servingSnapshot: true, state: ExchangeState.EXCHANGE_STATE_FAILED, instrumentCount: 385 });
      expect(status?.lastError).toMatch(/ECONNREFUSED|fetch failed|NetworkError|ExchangeNotAvailable/);
    } finally {
      await after.close();
    }
  }, 3 * PATIENCE_MS); // a failure detector: two waits at most, and two starts and stops (each far less than one)

  it('on the newer recording: delisted instruments stay known, closed; live ones are exactly live', async () => {
    const expected = expectedChanges('binanceusdm', new Date());
    await recorded.use('binanceusdm', 1);
    const after = await run();
    try {
      // READY only once this run has loaded (a restored snapshot is LOADING until then): the newer recording.
      await waitForExchanges(after, ['binanceusdm']);
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
    } finally {
      await after.close();
    }
  }, 2 * PATIENCE_MS); // a failure detector: one wait, and a start and a stop (each far less than one)
});
