import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { CLI } from '../support/demo-process.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const DYDX_URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
let replay: ReplayServer;
beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
});
afterAll(() => replay.close());

it('instruments sync keeps refreshing and prints each change batch as it is applied', async () => {
  // A short refresh interval, so several refreshes happen soon; the test counts them, not time.
  const child = spawn(process.execPath, [CLI, 'sync', '--exchanges', 'dydx', '--proxy-url', replay.url, '--refresh-interval', '0.3', '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: Array<{ revision: number; ccxtExchange: string; changes: Array<{ changeType: string; instrumentKey: string; changedFields?: string[]; instrument: { tickSize: string } }> }> = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(JSON.parse(line)));
  const batches = (n: number) => waitFor(() => lines.length >= n || notYet(`${lines.length} batches`), `${n} printed batches`);

  try {
    await batches(1);
    expect(lines[0]?.revision).toBe(1);
    expect(lines[0]?.changes).toHaveLength(125);
    expect(new Set(lines[0]?.changes.map((c) => c.changeType))).toEqual(new Set(['CHANGE_TYPE_ADDED']));

    // Market-data noise in the exchange's response (prices, volumes, funding) maps to no field of
    // a definition: several refreshes of it print nothing.
    const raw = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'dydx', 'v4_perpetualMarkets.json'), 'utf8')) as { markets: Record<string, Record<string, unknown>> };
    const btc = raw.markets['BTC-USD'] as Record<string, unknown>;
    Object.assign(btc, { oraclePrice: '70001.5', priceChange24H: '-12.5', volume24H: '1', nextFundingRate: '0.0001', openInterest: '800' });
    replay.override(DYDX_URL, { body: JSON.stringify(raw), contentType: 'application/json' });
    // Refreshes run one after another: the third request after the switch proves the two before
    // it were refreshed and printed whatever they had (stdout to a pipe is synchronous).
    const requestsBefore = replay.requestCount(DYDX_URL);
    await waitFor(() => replay.requestCount(DYDX_URL) >= requestsBefore + 3 || notYet(`${replay.requestCount(DYDX_URL) - requestsBefore} requests`), 'three more refreshes');
    expect(lines).toHaveLength(1);

    // dYdX changes BTC-USD's tick size: the next refresh prints exactly that update.
    btc['tickSize'] = '10';
    replay.override(DYDX_URL, { body: JSON.stringify(raw), contentType: 'application/json' });
    await batches(2);
    expect(lines[1]?.revision).toBe(2);
    expect(lines[1]?.changes.map((c) => [c.changeType, c.instrumentKey, c.changedFields, c.instrument.tickSize])).toEqual([
      ['CHANGE_TYPE_UPDATED', 'DYDX-V4:PERPETUAL:BTC/USDC:USDC', ['tick_size'], '10'],
    ]);

  } finally {
    child.kill('SIGTERM');
  }
  const code = await new Promise((resolve) => child.once('exit', resolve));
  expect(code).toBe(0);
}, 3 * PATIENCE_MS); // three waits
