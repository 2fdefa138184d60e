// The status dashboard in headless Chromium against the real service: binanceusdm refreshed
// through real CCXT from its recording, then switched to its older dated recording so a real
// refresh produces real changes, which must reach the open page through its event stream.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { filter, firstValueFrom, throwError, timeout } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startOpsServer, type AuthorizeResult, type RunningOpsServer } from '../../src/adapters/http/ops-server.js';
import { packageRoot } from '../../src/adapters/package-root.js';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import { dashboardSourcesOf } from '../../src/app/dashboard-sources.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { projections } from '../e2e/support/expected-changes.js';
import { EXCHANGES_DATED_DIR } from '../support/fixtures.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';
import { launchChromium, patient } from './support/browser.js';
import { nextEvent, readEvents } from './support/sse.js';

const EXCHANGE = 'binanceusdm';
const FAPI = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
const OLDER_BODY = join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13', 'fapi_v1_exchangeInfo.json');
const TOKEN = 'dashboard-test-token';

let h: Harness;
let ops: RunningOpsServer;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

// Written here, not taken from the code under test: instruments by lowercase type name.
const TYPE_NAMES: Partial<Record<InstrumentType, string>> = {
  [InstrumentType.INSTRUMENT_TYPE_SPOT]: 'spot', [InstrumentType.INSTRUMENT_TYPE_PERPETUAL]: 'perpetual',
  [InstrumentType.INSTRUMENT_TYPE_FUTURE]: 'future', [InstrumentType.INSTRUMENT_TYPE_OPTION]: 'option', [InstrumentType.INSTRUMENT_TYPE_COMBO]: 'combo',
};
function countTypes(definitions: Iterable<InstrumentDefinition>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const d of definitions) {
    const name = TYPE_NAMES[d.instrumentType] ?? 'unknown';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function kindCounts(batch: ChangeBatchEvent): { added: number; removed: number; updated: number } {
  const of = (type: ChangeType): number => batch.changes.filter((c) => c.changeType === type).length;
  return { added: of(ChangeType.CHANGE_TYPE_ADDED), removed: of(ChangeType.CHANGE_TYPE_REMOVED), updated: of(ChangeType.CHANGE_TYPE_UPDATED) };
}

const nextBatch = (): Promise<ChangeBatchEvent> => firstValueFrom(h.service.store.changes$.pipe(
  filter((b) => b.ccxtExchange === EXCHANGE),
  timeout({ first: PATIENCE_MS, with: () => throwError(() => new Error(`waited ${PATIENCE_MS} ms for a change batch of ${EXCHANGE}`)) }),
));
const url = (server: RunningOpsServer, path = '/'): string => `http://127.0.0.1:${server.port}${path}`;

/** What the real service would do with a Basic (password = token) or Bearer header. */
function authorize(header: string | undefined): AuthorizeResult {
  const [scheme = '', value = ''] = (header ?? '').split(' ');
  const token = scheme === 'Basic' ? Buffer.from(value, 'base64').toString('utf8').split(':').slice(1).join(':') : scheme === 'Bearer' ? value : '';
  if (token === TOKEN) return { ok: true };
  if (token === 'token-without-http-scope') return { ok: false, code: 'PERMISSION_DENIED', message: 'token lacks scope http' };
  return { ok: false, code: 'UNAUTHENTICATED', message: 'a token is required' };
}

beforeAll(async () => {
  // Refresh every second, so the switch of recordings is picked up quickly (the tests wait for
  // the batch it applies, not for the time).
  h = await startHarness({ [EXCHANGE]: 'fixture' }, {
    refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 1, jitterRatio: 0, retryInitialSeconds: 0.2, retryMaxSeconds: 1 },
  });
  await waitForExchanges(h, [EXCHANGE]);
  ops = await startOpsServer({ listen: '127.0.0.1:0', ...dashboardSourcesOf(h.service, 900) });
  browser = await launchChromium();
  page = patient(await browser.newPage());
  page.on('pageerror', (error) => pageErrors.push(String(error)));
});

afterAll(async () => {
  await browser?.close();
  await ops?.close();
  await h?.close();
});

describe('status dashboard in Chromium', () => {
  it('shows the exchange healthy with its instruments by type', async () => {
    await page.goto(url(ops));
    const row = page.locator(`#exchanges tr[data-exchange="${EXCHANGE}"]`);
    await row.locator('[data-health="ok"]').waitFor();

    const status = (await h.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === EXCHANGE);
    const expected = countTypes(h.service.store.sourceOf(EXCHANGE).values());
    expect(Object.values(expected).reduce((a, b) => a + b, 0)).toBe(status?.instrumentCount);
    expect(expected['perpetual']).toBeGreaterThan(0);
    const shown = await row.locator('[data-count-type]').evaluateAll((chips) =>
      Object.fromEntries(chips.map((c) => [c.getAttribute('data-count-type'), Number(c.getAttribute('data-count'))])));
    expect(shown).toEqual(expected);
    expect(await row.locator('[data-total]').textContent()).toBe(String(status?.instrumentCount));
    expect(pageErrors).toEqual([]);
  });

  it('shows a real refresh\'s changes as they happen, without reloading', async () => {
    await page.evaluate('window.__marker = 1'); // gone if the page reloads
    // From the raw recordings alone: keys only the older one lists come back when switching to it.
    const newerKeys = new Set([...projections(EXCHANGE, 'newer').values()].map((p) => p.key));
    const addedKeys = [...projections(EXCHANGE, 'older').values()].map((p) => p.key).filter((k) => !newerKeys.has(k));
    expect(addedKeys.length).toBeGreaterThan(0);

    const applied = nextBatch();
    h.replay.override(FAPI, { body: readFileSync(OLDER_BODY) });
    const batch = await applied;
    const counts = kindCounts(batch);
    expect(counts.added).toBe(addedKeys.length);

    for (const key of addedKeys) await page.locator(`#feed li.change[data-type="added"][data-key="${key}"]`).waitFor();
    const head = page.locator(`#feed li.batch[data-revision="${batch.revision}"] .counts`);
    expect(await head.textContent()).toBe(`+${counts.added} added · −${counts.removed} removed · ~${counts.updated} updated`);
    // The status follows (throttled) and the chart gains the refresh that applied the batch.
    const row = page.locator(`#exchanges tr[data-exchange="${EXCHANGE}"]`);
    await row.locator(`[data-total="${h.service.store.countFor(EXCHANGE)}"]`).waitFor();
    await page.locator(`#chart circle.applied[data-exchange="${EXCHANGE}"]`).first().waitFor({ state: 'attached' });
    expect(await page.locator('#chart circle').count()).toBeGreaterThan(1);
    expect(await page.locator('#chart polyline').count()).toBe(1);

    expect(await page.evaluate('window.__marker')).toBe(1);
    expect(pageErrors).toEqual([]);
    const artifacts = join(packageRoot(), 'test-artifacts');
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: join(artifacts, 'dashboard.png'), fullPage: true });
  }, 4 * PATIENCE_MS); // four waits: the batch, the feed, the status row, the chart

  it('streams status, then each change batch, to a plain HTTP client', async () => {
    const abort = new AbortController();
    const res = await fetch(url(ops, '/api/events'), { signal: abort.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    if (res.body === null) throw new Error('no body');
    const events = readEvents(res.body);
    const first = await nextEvent(events, () => true, 'the first event');
    expect(first.event).toBe('status');
    expect((JSON.parse(first.data) as { exchanges: Array<{ id: string }> }).exchanges.map((e) => e.id)).toEqual([EXCHANGE]);

    const applied = nextBatch();
    h.replay.override(FAPI, null); // back to the newer recording: its listings return
    const change = JSON.parse((await nextEvent(events, (e) => e.event === 'change', 'a change event')).data) as { revision: number; exchange: string; counts: unknown };
    const batch = await applied;
    expect(change).toMatchObject({ revision: batch.revision, exchange: EXCHANGE, counts: kindCounts(batch) });
    abort.abort();
  });
});

describe('dashboard behind authorization', () => {
  let secured: RunningOpsServer;
  beforeAll(async () => {
    secured = await startOpsServer({ listen: '127.0.0.1:0', authorize, ...dashboardSourcesOf(h.service, 900) });
  });
  afterAll(async () => {
    await secured?.close();
  });

  it('challenges a request without credentials, refuses a token without the scope, leaves /healthz open', async () => {
    const anonymous = await fetch(url(secured));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="live-instruments", Bearer');
    expect(await anonymous.text()).toBe('a token is required');
    expect((await fetch(url(secured, '/api/events'))).status).toBe(401);
    const denied = await fetch(url(secured, '/api/status'), { headers: { Authorization: 'Bearer token-without-http-scope' } });
    expect([denied.status, await denied.text()]).toEqual([403, 'token lacks scope http']);
    expect((await fetch(url(secured, '/api/status'), { headers: { Authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    const health = await fetch(url(secured, '/healthz'));
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
  });

  it('loads and goes live in the browser with Basic credentials (password = token)', async () => {
    const context = patient(await browser.newContext({ httpCredentials: { username: 'ops', password: TOKEN } }));
    try {
      const authed = await context.newPage();
      await authed.goto(url(secured));
      // Rows only ever arrive through the event stream, so this proves EventSource got through.
      await authed.locator(`#exchanges tr[data-exchange="${EXCHANGE}"] [data-health]`).waitFor();
      await authed.locator('#connection[data-state="live"]').waitFor();
    } finally {
      await context.close();
    }
  });
});
