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
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
const raw = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'dydx', 'v4_perpetualMarkets.json'), 'utf8')) as { markets: Record<string, unknown> };
const total = Object.keys(raw.markets).length;

let h: Harness;
let watcher: Watch;
beforeAll(async () => {
  // Refreshed every second: each case below is one refresh, so they follow each other quickly.
  h = await startHarness({ dydx: 'fixture' }, { refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 1, jitterRatio: 0 } });
  await waitForExchanges(h, ['dydx']);
  watcher = watch(h.client, {});
  await watcher.next(1, PATIENCE_MS);
}, 2 * PATIENCE_MS); // a failure detector: two waits at most
afterAll(() => h.close());

const dydx = async () => (await h.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'dydx');

/**
 * Serves `body` for exactly the next request of the market list (the replay decides as the
 * request arrives), then the recording again; resolves once that refresh has been held, the
 * `count`th hold in GetStatus.
 */
async function heldOnce(body: unknown, count: number): Promise<NonNullable<Awaited<ReturnType<typeof dydx>>>> {
  h.replay.fault(URL, { kind: 'status', status: 200, body: JSON.stringify(body), contentType: 'application/json' }, { times: 1 });
  return waitFor(async () => {
    const status = await dydx();
    return (status?.heldRefreshes ?? 0) >= count ? status : notYet(status);
  }, `hold number ${count} in dYdX's status`);
}

it('holds an empty list and a half-missing list, removes nothing, shows it in status, then applies a good refresh', async () => {
  const revision = h.service.store.revision;
  let status = await heldOnce({ markets: {} }, 1);
  expect(status.heldRefreshes).toBe(1);
  expect(status.heldReason).toBe('empty market list');
  expect(status.instrumentCount).toBe(total);

  const half = Object.fromEntries(Object.entries(raw.markets).filter((_, i) => i % 2 === 0));
  status = await heldOnce({ markets: half }, 2);
  expect(status.heldRefreshes).toBe(2);
  expect(status.heldReason).toMatch(new RegExp(`would remove ${total - Object.keys(half).length} of ${total} instruments \\(\\d+%\\), more than 20% at once`));
  expect((await h.rpc.listInstruments({ filter: { venues: ['DYDX-V4'] }, pageSize: 1000, view: SourceView.SOURCE_VIEW_LIVE })).instruments).toHaveLength(total);

  // The recording is back: the next refresh is applied normally (nothing changed) and clears the hold.
  await waitFor(async () => {
    const s = await dydx();
    return s?.heldReason === '' || notYet(s);
  }, 'a good refresh clearing the hold');
  // That refresh came after both held ones and made no batch (the revision counts batches), so
  // none of the three has changed anything, nor can a change from them still reach the watcher.
  expect(h.service.store.revision).toBe(revision);
  expect(watcher.messages.filter((m) => m.changes !== undefined)).toEqual([]);
}, 4 * PATIENCE_MS); // a failure detector: three waits at most, and the lookups between them
