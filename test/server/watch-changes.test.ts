import { credentials, status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeType, InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { perpetual } from '../support/definitions.js';
import { startStoreHarness, watch, type StoreHarness } from '../support/store-harness.js';
import { PATIENCE_MS, waitFor } from '../support/wait-for.js';

let h: StoreHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

// For tests that count messages: no periodic progress message among them, however slowly they
// run (the longest timer Node keeps; the interval is the default 10 s otherwise).
const NO_PROGRESS = { progressIntervalMs: 2 ** 31 - 1 };
const symbols = (n: number, prefix = 'S'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(4, '0')}`);

describe('WatchChanges', () => {
  it('sends the initial snapshot at one revision, a marker, then each later change', async () => {
    h = await startStoreHarness({ ...NO_PROGRESS, snapshotPageSize: 500 });
    h.store.applyExchange('testex', symbols(1200).map((s) => perpetual(s)));
    const w = watch(h.client, { sendInitialSnapshot: true });
    const [p1, p2, p3, end] = await w.next(4);
    expect([p1, p2, p3].map((m) => m?.snapshot?.instruments.length)).toEqual([500, 500, 200]);
    expect([p1, p2, p3, end].map((m) => m?.revision)).toEqual([1, 1, 1, 1]);
    expect(end?.snapshotEnd).toBeDefined();
    h.store.applyExchange('testex', symbols(1200).map((s) => perpetual(s, s === 'S0007' ? { tickSize: '0.5' } : {})));
    const [batch] = await w.next();
    expect(batch?.revision).toBe(2);
    expect(batch?.changes?.changes.map((c) => [c.changeType, c.instrumentKey, c.changedFields])).toEqual([
      [ChangeType.CHANGE_TYPE_UPDATED, 'TEST-VENUE:PERPETUAL:S0007/USDT:USDT', ['tick_size']],
    ]);
    expect(batch?.changes?.changes[0]?.previous?.tickSize).toBe('0.1');
  });

  it('filters changes, including one that takes an instrument out of the filter', async () => {
    h = await startStoreHarness(NO_PROGRESS);
    h.store.applyExchange('testex', [perpetual('BTC'), perpetual('ETH')]);
    const w = watch(h.client, { filter: { baseAssets: ['BTC'], active: true } });
    expect((await w.next())[0]?.progress).toBeDefined();
    h.store.applyExchange('testex', [perpetual('BTC', { tickSize: '1' }), perpetual('ETH', { tickSize: '1' })]);
    h.store.applyExchange('testex', [perpetual('BTC', { tickSize: '1', active: false }), perpetual('ETH', { tickSize: '1' })]);
    const [first, second] = await w.next(2);
    expect(first?.changes?.changes.map((c) => c.instrumentKey)).toEqual(['TEST-VENUE:PERPETUAL:BTC/USDT:USDT']);
    expect(second?.changes?.changes.map((c) => c.changedFields)).toEqual([['active']]);
  });

  it('resumes after a revision with every later change exactly once', async () => {
    h = await startStoreHarness(NO_PROGRESS);
    const tick = (i: number) => h?.store.applyExchange('testex', [perpetual('BTC', { tickSize: String(i) })]);
    tick(1);
    const first = watch(h.client, {});
    const [start] = await first.next();
    expect([start?.revision, start?.progress !== undefined]).toEqual([1, true]);
    tick(2);
    const [r2] = await first.next();
    first.stream.cancel();
    tick(3);
    tick(4);
    const resumed = watch(h.client, { startRevision: r2?.revision ?? 0 });
    const got = await resumed.next(3);
    expect(got[2]?.progress).toBeDefined(); // resumed: 3 and 4 from history, then "live from 4"
    tick(5);
    got.splice(2, 1, ...(await resumed.next()));
    expect(got.map((m) => [m.revision, m.changes?.changes[0]?.instrument?.tickSize])).toEqual([[3, '3'], [4, '4'], [5, '5']]);
    // No repeat of 3, 4 or 5: the stream is ordered, so once a later change (6) has arrived,
    // any repeat sent before it has too.
    tick(6);
    await resumed.next();
    expect(resumed.messages.map((m) => [m.revision, m.changes === undefined ? 'progress' : 'changes'])).toEqual([
      [3, 'changes'], [4, 'changes'], [4, 'progress'], [5, 'changes'], [6, 'changes'],
    ]);
  });

  it('OUT_OF_RANGE for a revision older than the history or ahead of the server, telling the client to re-list', async () => {
    h = await startStoreHarness({}, { maxBatches: 2, maxChanges: 100 });
    for (let i = 1; i <= 5; i++) h.store.applyExchange('testex', [perpetual('BTC', { tickSize: String(i) })]);
    const old = await watch(h.client, { startRevision: 1 }).status();
    expect(old.code).toBe(status.OUT_OF_RANGE);
    expect(old.details).toMatch(/start_revision 1 is older than the change history kept here \(resumable from 3\): re-list with ListInstruments/);
    const ahead = await watch(h.client, { startRevision: 99 }).status();
    expect(ahead.code).toBe(status.OUT_OF_RANGE);
    expect(ahead.details).toMatch(/ahead of this server's revision 5/);
    const both = await watch(h.client, { startRevision: 3, sendInitialSnapshot: true }).status();
    expect(both.code).toBe(status.INVALID_ARGUMENT);
    const badFilter = await watch(h.client, { filter: { venues: ['NOPE'] } }).status();
    expect(badFilter.code).toBe(status.INVALID_ARGUMENT);
  });

  it('tells an idle watcher the current revision at the progress interval', async () => {
    // The interval under test, short so the test is quick.
    h = await startStoreHarness({ progressIntervalMs: 100 });
    h.store.applyExchange('testex', [perpetual('BTC')]);
    h.store.applyExchange('testex', [perpetual('BTC', { tickSize: '2' })]);
    const w = watch(h.client, { filter: { baseAssets: ['ETH'] } });
    const [start, progress] = await w.next(2, PATIENCE_MS);
    expect(start?.revision).toBe(2);
    expect(progress?.progress).toBeDefined();
    expect(progress?.revision).toBe(2);
  });

  it('ends a watcher that stops reading with RESOURCE_EXHAUSTED while another keeps receiving', async () => {
    h = await startStoreHarness({ ...NO_PROGRESS, maxPendingMessages: 8 });
    const keys = symbols(300);
    h.store.applyExchange('testex', keys.map((s) => perpetual(s)));
    // Its own connection, as a separate slow process would have: a paused stream holds its
    // connection's HTTP/2 window, which is the client's to manage, not the server's.
    const slowClient = new InstrumentServiceClient(h.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    const slow = watch(slowClient, {});
    const normal = watch(h.client, {});
    await Promise.all([slow.next(), normal.next()]);
    slow.stream.pause();
    // Large batches (300 changes each) fill grpc-js's buffer and the paused client's HTTP/2
    // window quickly; the normal watcher reads each one before the next is applied.
    const got = [];
    for (let i = 1; i <= 60; i++) {
      h.store.applyExchange('testex', keys.map((s) => perpetual(s, { tickSize: String(i) })));
      got.push(...(await normal.next()));
    }
    expect(got.map((m) => m.revision)).toEqual(Array.from({ length: 60 }, (_, i) => i + 2));
    await waitFor(() => h?.server.watchers.size === 1, 'the slow watcher to be ended');
    slow.stream.resume();
    const ended = await slow.status();
    expect(ended.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(ended.details).toMatch(/watcher too slow: more than 8 messages waiting; reconnect with start_revision/);
    expect(slow.messages.length).toBeLessThan(60);
    slowClient.close();
  });

  it('frees the subscription when the client cancels', async () => {
    h = await startStoreHarness();
    const w = watch(h.client, { sendInitialSnapshot: true });
    await w.next();
    expect(h.server.watchers.size).toBe(1);
    w.stream.cancel();
    await waitFor(() => h?.server.watchers.size === 0, 'the cancelled watcher to be freed');
  });

  it('ends open watches with UNAVAILABLE on shutdown, telling clients to resume', async () => {
    h = await startStoreHarness();
    const w = watch(h.client, { sendInitialSnapshot: true });
    await w.next();
    // The grace only bounds the drain of other calls; open watches are ended at once, whatever it is.
    const closing = h.server.close(2000);
    const ended = await w.status();
    await closing;
    expect(ended.code).toBe(status.UNAVAILABLE);
    expect(ended.details).toMatch(/server shutting down; reconnect and resume with start_revision/);
    expect(h.server.watchers.size).toBe(0);
    h.client.close();
    h = undefined;
  });
});
