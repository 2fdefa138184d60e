// The ops server's routes and the page's rendering, over sources the test drives by hand: exact
// statuses (an exchange past its cache TTL, hostile error text) and events pushed when wanted.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangeType, ExchangeState, RemovalReason } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startOpsServer, type RunningOpsServer } from '../../src/adapters/http/ops-server.js';
import { launchChromium, patient } from './support/browser.js';
import { exchangeStatus, stubSources } from './support/stub-sources.js';

const HOSTILE = '<img src=x onerror="window.__xss=1">boom & <b>bold</b>';
const HOSTILE_KEY = 'TEST-VENUE:SPOT:<script>window.__xss=2</script>/USDT';

const sources = stubSources([
  exchangeStatus({ ccxtExchange: 'goodex', venues: ['GOOD-VENUE'] }),
  exchangeStatus({ ccxtExchange: 'oldex', stalenessSeconds: 61, state: ExchangeState.EXCHANGE_STATE_FAILED, lastError: HOSTILE, consecutiveFailures: 4 }),
], { spot: 2, option: 1 }, 60);
const metricsCalls: string[] = [];
const errors: unknown[] = [];
let ops: RunningOpsServer;
let browser: Browser;
const url = (path: string): string => `http://127.0.0.1:${ops.port}${path}`;

beforeAll(async () => {
  ops = await startOpsServer({
    listen: '127.0.0.1:0', ...sources,
    metrics: async () => {
      metricsCalls.push('called');
      return { contentType: 'text/plain; version=0.0.4', body: 'instruments_up 1\n' };
    },
    onError: (error) => errors.push(error),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await ops?.close();
});

describe('ops server routes', () => {
  it('serves the page and its files under a same-origin-only CSP', async () => {
    const page = await fetch(url('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'self'/);
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/dashboard.js">');
    expect(html).not.toMatch(/<script>|<style>|https?:\/\//); // nothing inline, nothing external
    expect((await fetch(url('/dashboard.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await fetch(url('/dashboard.css'))).headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('answers /healthz, /metrics, 404 and 405', async () => {
    const health = await fetch(url('/healthz'));
    expect([health.status, await health.text()]).toEqual([200, 'ok']);
    const metrics = await fetch(url('/metrics'));
    expect([metrics.status, metrics.headers.get('content-type'), await metrics.text()]).toEqual([200, 'text/plain; version=0.0.4', 'instruments_up 1\n']);
    expect(metricsCalls.length).toBe(1);
    expect((await fetch(url('/nope'))).status).toBe(404);
    const post = await fetch(url('/api/status'), { method: 'POST' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET']);
    expect(errors).toEqual([]);
  });

  it('reports each exchange with health, counts and history in /api/status', async () => {
    const body = await (await fetch(url('/api/status'))).json() as Record<string, unknown> & { exchanges: Array<Record<string, unknown>> };
    expect(body).toMatchObject({ revision: 7, cacheTtlSeconds: 60, refreshes: {}, recentChanges: [] });
    expect(body.exchanges.map((e) => [e['id'], e['health'], e['state']])).toEqual([['goodex', 'ok', 'ready'], ['oldex', 'stale', 'failed']]);
    expect(body.exchanges[1]).toMatchObject({
      venues: ['TEST-VENUE'], lastError: HOSTILE, consecutiveFailures: 4, stalenessSeconds: 61, instruments: 3,
      counts: { spot: 2, perpetual: 0, future: 0, option: 1, combo: 0 },
    });
  });
});

describe('dashboard page over hand-driven sources', () => {
  it('renders exchange and instrument text as text, never as markup', async () => {
    const page = patient(await browser.newPage());
    const pageErrors: string[] = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    try {
      await page.goto(url('/'));
      const old = page.locator('#exchanges tr[data-exchange="oldex"]');
      await old.locator('[data-health="stale"]').waitFor();
      await page.locator('#exchanges tr[data-exchange="goodex"] [data-health="ok"]').waitFor();
      expect(await old.locator('td.error').textContent()).toBe(HOSTILE);
      expect(await page.locator('#exchanges img, #exchanges b').count()).toBe(0);

      const now = new Date();
      sources.changes$.next({
        revision: 8, appliedAt: now, ccxtExchange: 'goodex',
        changes: [{ changeType: ChangeType.CHANGE_TYPE_ADDED, instrumentKey: HOSTILE_KEY, instrument: undefined, previous: undefined, changedFields: [], removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED }],
      });
      sources.refreshes$.next({ exchange: 'goodex', outcome: 'failed', at: now, durationMs: 250, instruments: 3, changes: 0, reason: HOSTILE });
      const line = page.locator('#feed li.batch[data-revision="8"] li.change[data-type="added"] code');
      await line.waitFor();
      expect(await line.textContent()).toBe(HOSTILE_KEY);
      await page.locator('#chart circle.failed[data-exchange="goodex"]').waitFor({ state: 'attached' });
      expect(await page.locator('#revision').textContent()).toBe('revision 8');
      expect(await page.locator('#feed script, #feed img').count()).toBe(0);
      expect(await page.evaluate('window.__xss')).toBeUndefined();
      expect(pageErrors).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
