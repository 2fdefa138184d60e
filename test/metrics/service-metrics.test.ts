// The metrics of a real service: dYdX through real CCXT from the replay exchange, refreshed every
// second. The replay answers are switched (a modified copy of the recording, an empty list, an
// HTTP 500) to make real changes, held and failed refreshes; RPCs go through a second gRPC server
// over the same store that carries the metrics interceptor (the service does not wire it yet),
// and a webhook notifier posts to a local receiver that fails its first request.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { credentials, Metadata, ServerInterceptingCall, status as GrpcStatus, type ServerInterceptor } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, InstrumentServiceClient, SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { createLogger } from '../../src/adapters/logger.js';
import { TYPE_NAMES } from '../../src/store/instrument-counts.js';
import { createServiceMetrics, type ServiceMetrics } from '../../src/adapters/metrics/service-metrics.js';
import { REJECTION_REASONS } from '../../src/adapters/metrics/rejection-reason.js';
import { WebhookNotifier } from '../../src/adapters/webhook/webhook-notifier.js';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import type { RefreshEvent } from '../../src/app/refresh-event.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { DEFAULT_WATCH_SETTINGS } from '../../src/rpc/watch-changes.js';
import { startGrpcServer, type RunningServer } from '../../src/server/grpc-server.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { rpcOf, startHarness, waitForExchanges, type Harness, type Rpc } from '../support/service-harness.js';
import { watch } from '../support/store-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { parseExposition, sumOf, valueOf, type Exposition } from './support/exposition.js';

const URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
type Market = Record<string, unknown> & { tickSize: string };
const recording = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'dydx', 'v4_perpetualMarkets.json'), 'utf8')) as { markets: Record<string, Market> };
const SERVICE = 'instruments.v1.InstrumentService';
const WEBHOOK_TOKEN = 'metrics-test-url-token';

let h: Harness;
let metrics: ServiceMetrics;
let server: RunningServer;
let client: InstrumentServiceClient;
let rpc: Rpc;
let receiver: Server;
let webhook: WebhookNotifier;
const posts = { failed: 0, delivered: 0 };
// What the metrics must agree with, from subscriptions made in the same tick as theirs.
const refreshes: RefreshEvent[] = [];
const batches: ChangeBatchEvent[] = [];

// Like an auth interceptor: answers the call itself, on the metadata, before the handler runs.
const denyMarked: ServerInterceptor = (_method, call) => new ServerInterceptingCall(call, {
  start: (next) => next({
    onReceiveMetadata: (metadata, passOn) => {
      if (metadata.get('x-deny').length === 0) passOn(metadata);
      else call.sendStatus({ code: GrpcStatus.UNAUTHENTICATED, details: 'denied by the test', metadata: new Metadata() });
    },
  }),
});

async function scrape(): Promise<Exposition> {
  return parseExposition(await metrics.text());
}

/** The samples the waits below look at, for a timeout's message. */
const watched = (e: Exposition): string[] => e.samples
  .filter((x) => /^instruments_(exchange_state|refreshes_total|changes_total|webhook_|watchers_connected)/.test(x.name))
  .map((x) => `${x.name}${JSON.stringify(x.labels)} ${x.value}`);

/** Scrapes until `done` holds. */
function scrapeUntil(what: string, done: (e: Exposition) => boolean): Promise<Exposition> {
  return waitFor(async () => {
    const e = await scrape();
    return done(e) ? e : notYet(watched(e));
  }, what, { everyMs: 50 });
}

const dydx = (labels: Record<string, string> = {}): Record<string, string> => ({ exchange: 'dydx', ...labels });
const tally = <T extends string>(items: readonly T[]): Record<string, number> =>
  items.reduce<Record<string, number>>((acc, item) => ({ ...acc, [item]: (acc[item] ?? 0) + 1 }), {});

beforeAll(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    const fail = posts.failed === 0;
    posts[fail ? 'failed' : 'delivered'] += 1;
    res.writeHead(fail ? 500 : 200).end();
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook?token=${WEBHOOK_TOKEN}`;

  // Refresh every second and retry quickly, so each switch of the replay's answers is picked up
  // soon; the tests wait for the refreshes themselves, never for these times.
  h = await startHarness({ dydx: 'fixture' }, {
    refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 1, jitterRatio: 0, retryInitialSeconds: 0.2, retryMaxSeconds: 1 },
  });
  const { store } = h.service;
  // A short retry wait, so the receiver's one failure is retried soon.
  webhook = new WebhookNotifier({ url: hookUrl, secret: 'metrics-test-secret', initialBackoffMs: 50 }, createLogger('silent'));
  webhook.attach(store.changes$);
  h.service.refreshes$.subscribe((e) => refreshes.push(e));
  store.changes$.subscribe((b) => batches.push(b));
  metrics = createServiceMetrics({
    store, exchanges: h.service.exchanges, refreshes$: h.service.refreshes$, webhook,
    watchers: () => server.watchers.size, refreshIntervalSeconds: 1, cacheTtlSeconds: 900,
  });
  server = await startGrpcServer('127.0.0.1:0', { store, exchanges: h.service.exchanges }, () => {}, DEFAULT_WATCH_SETTINGS, {
    // The metrics interceptor inside the denying one, as it must be wired before auth.
    interceptors: [metrics.interceptor, denyMarked],
  });
  client = new InstrumentServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
  rpc = rpcOf(client);
  await waitForExchanges(h, ['dydx']);
});

afterAll(async () => {
  metrics?.close();
  client?.close();
  await server?.close(500); // a short drain: no call is open by now
  await webhook?.close();
  await h?.close();
  await new Promise((resolve) => receiver?.close(resolve));
});

describe('service metrics', () => {
  it('counts instruments per exchange and type as ListInstruments and GetStatus do', async () => {
    // Read in the tick the scrape reads its values in, so a refresh cannot fall between them.
    const status = h.service.exchanges.statuses().find((s) => s.ccxtExchange === 'dydx');
    const e = await scrape();
    let total = 0;
    for (const type of TYPE_NAMES) {
      const instrumentType = InstrumentType[`INSTRUMENT_TYPE_${type.toUpperCase()}` as keyof typeof InstrumentType];
      const page = await h.rpc.listInstruments({ filter: { ccxtExchanges: ['dydx'], instrumentTypes: [instrumentType] }, pageSize: 1000, view: SourceView.SOURCE_VIEW_LIVE });
      expect(page.nextPageToken).toBe('');
      expect(valueOf(e, 'instruments_exchange_instruments', dydx({ type })), type).toBe(page.instruments.length);
      total += page.instruments.length;
    }
    expect(valueOf(e, 'instruments_exchange_instruments', dydx({ type: 'perpetual' }))).toBe(Object.keys(recording.markets).length);
    expect(sumOf(e, 'instruments_exchange_instruments', dydx())).toBe(status?.instrumentCount);
    expect(total).toBe(status?.instrumentCount);

    expect(valueOf(e, 'instruments_exchange_state', dydx({ state: 'ready' }))).toBe(1);
    expect(valueOf(e, 'instruments_exchange_state', dydx({ state: 'failed' }))).toBe(0);
    expect(valueOf(e, 'instruments_exchange_last_success_timestamp_seconds', dydx())).toBe((status?.lastSuccessTime?.getTime() ?? NaN) / 1000);
    expect(valueOf(e, 'instruments_exchange_staleness_seconds', dydx())).toBeGreaterThanOrEqual(0);
    expect(valueOf(e, 'instruments_store_revision')).toBe(h.service.store.revision);
    expect(h.service.store.revision).toBeGreaterThan(0);
    expect(valueOf(e, 'instruments_refresh_interval_seconds')).toBe(1);
    expect(valueOf(e, 'instruments_cache_ttl_seconds')).toBe(900);
  });

  it('counts applied changes by kind', async () => {
    const [removed, updated] = Object.entries(recording.markets);
    if (removed === undefined || updated === undefined) throw new Error('the recording has fewer than two markets');
    const before = await scrape();
    const changed = (e: Exposition, kind: string): number => (valueOf(e, 'instruments_changes_total', dydx({ kind })) ?? 0) - (valueOf(before, 'instruments_changes_total', dydx({ kind })) ?? 0);
    // One market delisted and one tick size changed, then the recording again: it comes back and
    // the tick size returns.
    const modified = { ...recording.markets };
    delete modified[removed[0]];
    modified[updated[0]] = { ...updated[1], tickSize: '12.5' };
    h.replay.override(URL, { body: JSON.stringify({ markets: modified }) });
    await scrapeUntil('the removal', (e) => changed(e, 'removed') > 0);
    h.replay.override(URL, null);
    const after = await scrapeUntil('the re-listing', (e) => changed(e, 'added') > 0);

    expect({ added: changed(after, 'added'), updated: changed(after, 'updated'), removed: changed(after, 'removed') }).toEqual({ added: 1, updated: 2, removed: 1 });
    const kinds = batches.flatMap((b) => b.changes.map((c) => (c.changeType === ChangeType.CHANGE_TYPE_ADDED ? 'added' : c.changeType === ChangeType.CHANGE_TYPE_UPDATED ? 'updated' : 'removed')));
    const expected = tally(kinds);
    for (const kind of ['added', 'updated', 'removed']) expect(valueOf(after, 'instruments_changes_total', dydx({ kind })), kind).toBe(expected[kind] ?? 0);
    expect(valueOf(after, 'instruments_store_revision')).toBe(batches.at(-1)?.revision);
  });

  it('counts held and failed refreshes per exchange, with a duration per attempt', async () => {
    const before = await scrape();
    const outcome = (e: Exposition, o: string): number => valueOf(e, 'instruments_refreshes_total', dydx({ outcome: o })) ?? 0;
    const heldBefore = h.service.exchanges.statuses().find((s) => s.ccxtExchange === 'dydx')?.heldRefreshes ?? 0;
    // An empty market list for exactly one request (the replay counts it out), then the recording.
    h.replay.fault(URL, { kind: 'status', status: 200, body: JSON.stringify({ markets: {} }) }, { times: 1 });
    await scrapeUntil('a held refresh', (e) => outcome(e, 'held') > outcome(before, 'held'));

    // Failing until the metrics have shown the exchange failed, then the recording again.
    h.replay.override(URL, { body: '{"error":"test"}', status: 500 });
    const failing = await scrapeUntil('a failed exchange', (e) => valueOf(e, 'instruments_exchange_state', dydx({ state: 'failed' })) === 1);
    h.replay.override(URL, null);
    expect(valueOf(failing, 'instruments_exchange_consecutive_failures', dydx())).toBeGreaterThan(0);
    await scrapeUntil('recovery', (x) => valueOf(x, 'instruments_exchange_state', dydx({ state: 'ready' })) === 1);
    // Taken in the tick the scrape reads its values in.
    const counted = tally(refreshes.map((r) => r.outcome));
    const e = await scrape();

    expect(outcome(e, 'held') - outcome(before, 'held')).toBe(1);
    expect((h.service.exchanges.statuses().find((s) => s.ccxtExchange === 'dydx')?.heldRefreshes ?? 0) - heldBefore).toBe(1);
    expect(outcome(e, 'failed')).toBeGreaterThan(outcome(before, 'failed'));
    expect(valueOf(e, 'instruments_exchange_consecutive_failures', dydx())).toBe(0);
    for (const o of ['applied', 'unchanged', 'held', 'failed']) {
      expect(outcome(e, o), o).toBe(counted[o] ?? 0);
      // A histogram series appears with its first observation; the counters start at 0.
      expect(valueOf(e, 'instruments_refresh_duration_seconds_count', dydx({ outcome: o })) ?? 0, o).toBe(outcome(e, o));
      expect(valueOf(e, 'instruments_refresh_duration_seconds_bucket', dydx({ outcome: o, le: '+Inf' })) ?? 0, o).toBe(outcome(e, o));
    }
    expect(sumOf(e, 'instruments_refresh_duration_seconds_sum', dydx())).toBeGreaterThan(0);
  }, 3 * PATIENCE_MS); // three waits

  it('counts RPCs by method and status code, with unary latency per method', async () => {
    const list = await rpc.listInstruments({ pageSize: 1 });
    const key = list.instruments[0]?.instrumentKey ?? '';
    await rpc.getInstrument({ instrumentKey: key });
    await expect(rpc.getInstrument({ instrumentKey: 'DYDX-V4:PERPETUAL:NOPE/USD:USD' })).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    const denied = new Promise((resolve) => client.getStatus({}, (() => { const m = new Metadata(); m.set('x-deny', '1'); return m; })(), resolve));
    expect(await denied).toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });

    const e = await scrape();
    const requests = (method: string, code: string): number | undefined => valueOf(e, 'instruments_rpc_requests_total', { service: SERVICE, method, code });
    expect(requests('GetInstrument', 'OK')).toBe(1);
    expect(requests('GetInstrument', 'NOT_FOUND')).toBe(1);
    expect(requests('ListInstruments', 'OK')).toBe(1);
    expect(requests('GetStatus', 'UNAUTHENTICATED')).toBe(1);
    expect(sumOf(e, 'instruments_rpc_requests_total', { method: 'GetInstrument' })).toBe(2);
    expect(valueOf(e, 'instruments_rpc_duration_seconds_count', { service: SERVICE, method: 'GetInstrument' })).toBe(2);
    expect(valueOf(e, 'instruments_rpc_duration_seconds_sum', { service: SERVICE, method: 'GetInstrument' })).toBeGreaterThan(0);
  });

  it('counts a WatchChanges stream once, by how it ended, with its lifetime apart; watchers go 1 then 0', async () => {
    const w = watch(client, {});
    await w.next();
    let e = await scrape();
    expect(valueOf(e, 'instruments_watchers_connected')).toBe(1);
    expect(sumOf(e, 'instruments_rpc_requests_total', { method: 'WatchChanges' })).toBe(0);
    w.stream.cancel();
    e = await scrapeUntil('the watcher to leave', (x) => valueOf(x, 'instruments_watchers_connected') === 0 &&
      sumOf(x, 'instruments_rpc_requests_total', { method: 'WatchChanges' }) > 0);

    expect(valueOf(e, 'instruments_rpc_requests_total', { service: SERVICE, method: 'WatchChanges', code: 'CANCELLED' })).toBe(1);
    expect(sumOf(e, 'instruments_rpc_requests_total', { method: 'WatchChanges' })).toBe(1);
    expect(valueOf(e, 'instruments_rpc_stream_duration_seconds_count', { service: SERVICE, method: 'WatchChanges' })).toBe(1);
    expect(valueOf(e, 'instruments_rpc_duration_seconds_count', { service: SERVICE, method: 'WatchChanges' })).toBeUndefined();
    expect(valueOf(e, 'instruments_rpc_stream_messages_sent_total', { service: SERVICE, method: 'WatchChanges' })).toBeGreaterThanOrEqual(w.messages.length);
  });

  it('counts webhook deliveries: a failed attempt, then every batch delivered', async () => {
    const e = await scrapeUntil('the webhook queue to drain', (x) => valueOf(x, 'instruments_webhook_queued_batches') === 0 &&
      valueOf(x, 'instruments_webhook_deliveries_total', { outcome: 'delivered' }) === batches.length);
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(valueOf(e, 'instruments_webhook_deliveries_total', { outcome: 'delivered' })).toBe(posts.delivered);
    expect(valueOf(e, 'instruments_webhook_deliveries_total', { outcome: 'failed' })).toBe(1);
    expect(valueOf(e, 'instruments_webhook_deliveries_total', { outcome: 'dropped' })).toBe(0);
  });

  it('writes a well-formed exposition whose labels come from fixed sets and carry no secret', async () => {
    const text = await metrics.text();
    const e = parseExposition(text); // throws on any malformed line
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    for (const family of e.types.keys()) expect(e.help.get(family), family).toBeTruthy();
    expect(e.types.get('instruments_process_cpu_seconds_total')).toBe('counter'); // default metrics are in
    const allowed: Record<string, ReadonlySet<string>> = {
      exchange: new Set(['dydx']),
      outcome: new Set(['applied', 'unchanged', 'held', 'failed', 'delivered', 'dropped']),
      kind: new Set(['added', 'updated', 'removed']),
      type: new Set(TYPE_NAMES),
      state: new Set(['loading', 'ready', 'failed']),
      reason: new Set(REJECTION_REASONS),
      service: new Set([SERVICE]),
      method: new Set(['GetInstrument', 'BatchGetInstruments', 'ListInstruments', 'GetStatus', 'WatchChanges']),
      code: new Set(Object.keys(GrpcStatus).filter((k) => Number.isNaN(Number(k)))),
    };
    const ours = e.samples.filter((s) => !/^instruments_(process|nodejs)_/.test(s.name));
    expect(ours.length).toBeGreaterThan(50);
    for (const sample of ours) {
      for (const [label, value] of Object.entries(sample.labels)) {
        if (label === 'le') continue;
        expect(allowed[label]?.has(value), `${sample.name} ${label}="${value}"`).toBe(true);
      }
    }
    expect(text).not.toContain(WEBHOOK_TOKEN);
    expect(text).not.toContain('metrics-test-secret');
  });

  it('stops following refreshes on close()', async () => {
    const total = (x: Exposition): number => sumOf(x, 'instruments_refreshes_total', dydx());
    metrics.close();
    const closedAt = refreshes.length;
    const frozen = total(await scrape());
    // Refreshes the metrics would have counted: two more, seen through the service's own events.
    await waitFor(() => refreshes.length >= closedAt + 2 || notYet(`${refreshes.length - closedAt} refreshes since close()`), 'two refreshes after close()');
    expect(total(await scrape())).toBe(frozen);
  });
});
