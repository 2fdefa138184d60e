// Redis mode on the dashboard: which replica the page is served by, whether it reaches Redis, and
// which replica polls each exchange, over sources the test drives by hand.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { StoreStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startOpsServer, type RunningOpsServer } from '../../src/adapters/http/ops-server.js';
import { launchChromium, patient } from './support/browser.js';
import { exchangeStatus, stubSources } from './support/stub-sources.js';

const HOSTILE = '<img src=x onerror="window.__xss=1">r2';
const store: StoreStatus = {
  mode: 'redis', replicaId: 'eu-1', connected: false, lastContactTime: new Date(), lastError: 'Error: connect ECONNREFUSED 127.0.0.1:6379', polling: ['goodex'], sharedRevision: 7,
};
const sources = {
  ...stubSources([exchangeStatus({ ccxtExchange: 'goodex', polledBy: 'eu-1' }), exchangeStatus({ ccxtExchange: 'otherex', polledBy: HOSTILE })]),
  store: () => store,
};
let ops: RunningOpsServer;
let browser: Browser;

beforeAll(async () => {
  ops = await startOpsServer({
    listen: '127.0.0.1:0', ...sources, metrics: async () => ({ contentType: 'text/plain', body: '' }), onError: () => undefined,
  });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

it('reports the replica, its Redis link and each exchange\'s poller in /api/status and on the page', async () => {
  const body = await (await fetch(`http://127.0.0.1:${ops.port}/api/status`)).json() as { replica: unknown; exchanges: Array<{ id: string; polledBy: string }> };
  expect(body.replica).toEqual({ id: 'eu-1', connected: false, lastError: 'Error: connect ECONNREFUSED 127.0.0.1:6379' });
  expect(body.exchanges.map((e) => [e.id, e.polledBy])).toEqual([['goodex', 'eu-1'], ['otherex', HOSTILE]]);

  const page = patient(await browser.newPage());
  try {
    await page.goto(`http://127.0.0.1:${ops.port}/`);
    const replica = page.locator('#replica[data-connected="false"]');
    await replica.waitFor();
    expect(await replica.textContent()).toBe('replica eu-1: Redis unreachable, serving what it has');
    expect(await replica.getAttribute('title')).toBe(store.lastError);
    expect(await page.locator('#exchanges tr[data-exchange="goodex"] [data-polled-by]').textContent()).toBe('polled by eu-1');
    expect(await page.locator('#exchanges tr[data-exchange="otherex"] [data-polled-by]').textContent()).toBe(`polled by ${HOSTILE}`);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
  } finally {
    await page.close();
  }
});
