// Data-quality guards on the real path: the replay exchange answers dYdX's market list empty,
// then with half its markets missing, each for exactly one refresh. Nothing is removed, each
// refresh is held and shown in GetStatus, and the following good refresh applies normally.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';
import { watch, type Watch } from '../support/store-harness.js';

const URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
const raw = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'dydx', 'v4_perpetualMarkets.json'), 'utf8')) as { markets: Record<string, unknown> };
const total = Object.keys(raw.markets).length;

let h: Harness;
let watcher: Watch;
beforeAll(async () => {
  h = await startHarness({ dydx: 'fixture' }, { refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 1, jitterRatio: 0 } });
  await waitForExchanges(h, ['dydx']);
  watcher = watch(h.client, {});
  await watcher.next();
});
afterAll(() => h.close());

/** Serves `body` for exactly one request of the market list, then the recording again. */
async function serveOnce(body: unknown): Promise<void> {
  const before = h.replay.requestCount(URL);
  h.replay.override(URL, { body: JSON.stringify(body), contentType: 'application/json' });
  while (h.replay.requestCount(URL) === before) await new Promise((r) => setTimeout(r, 5));
  h.replay.override(URL, null);
}

/** Waits until GetStatus has recorded `count` held refreshes for dYdX. */
async function heldCount(count: number): Promise<void> {
  for (const deadline = Date.now() + 20_000; ((await dydx())?.heldRefreshes ?? 0) < count;) {
    if (Date.now() > deadline) throw new Error(`expected ${count} held refreshes`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const dydx = async () => (await h.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'dydx');

it('holds an empty list and a half-missing list, removes nothing, shows it in status, then applies a good refresh', async () => {
  const revision = h.service.store.revision;
  await serveOnce({ markets: {} });
  await heldCount(1);
  let status = await dydx();
  expect(status?.heldRefreshes).toBe(1);
  expect(status?.heldReason).toBe('empty market list');
  expect(status?.instrumentCount).toBe(total);

  const half = Object.fromEntries(Object.entries(raw.markets).filter((_, i) => i % 2 === 0));
  await serveOnce({ markets: half });
  await heldCount(2);
  status = await dydx();
  expect(status?.heldRefreshes).toBe(2);
  expect(status?.heldReason).toMatch(new RegExp(`would remove ${total - Object.keys(half).length} of ${total} instruments \\(\\d+%\\), more than 20% at once`));
  expect((await h.rpc.listInstruments({ filter: { venues: ['DYDX-V4'] }, pageSize: 1000, view: SourceView.SOURCE_VIEW_LIVE })).instruments).toHaveLength(total);

  // The recording is back: the next refresh is applied normally (nothing changed) and clears the hold.
  for (const deadline = Date.now() + 10_000; (await dydx())?.heldReason !== '';) {
    if (Date.now() > deadline) throw new Error('hold not cleared');
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(h.service.store.revision).toBe(revision);
  expect(watcher.messages.filter((m) => m.changes !== undefined)).toEqual([]);
});
