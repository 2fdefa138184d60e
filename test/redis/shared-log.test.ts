// The shared change log on a real redis-server: commits are fenced by the lease and ordered by
// the sequence number, only visible changes take a revision, the log is bounded with a
// compaction point replicas agree on, and a replica's store loaded from the snapshot (or
// reloaded after falling behind) is the state an embedded service would have.
import { describe, expect, it } from 'vitest';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { RedisKeys } from '../../src/adapters/redis/redis-keys.js';
import { InstrumentStore, type PreparedDelta } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { Cleanup, useRedis, contentsOf, freshPrefix, openLog, startFollower, startKeeper, startLeader } from './support/redis-mode.js';

const cleanup = new Cleanup();
const env = useRedis(cleanup);

const at = (minute: number): Date => new Date(Date.UTC(2025, 2, 1, 12, minute));
const btc = (tickSize: string, ccxtExchange = 'aaa'): InstrumentDefinition => perpetual('BTC', { tickSize, ccxtExchange });
const of = (ccxtExchange: string, ...symbols: string[]): InstrumentDefinition[] => symbols.map((s) => perpetual(s, { ccxtExchange }));

/** A load prepared against `store`'s state. */
function prepare(store: InstrumentStore, exchange: string, definitions: InstrumentDefinition[]): PreparedDelta {
  const delta = store.prepareExchange(exchange, definitions, at(0));
  if (delta === undefined) throw new Error(`the load of ${exchange} changes nothing`);
  return delta;
}

/** Everything a commit could have written. */
async function written(keys: RedisKeys, exchange: string) {
  const [seq, revision, length, source, compacted] = await Promise.all([
    env.client.get(keys.seq), env.client.get(keys.revision), env.client.xlen(keys.log), env.client.hgetallBuffer(keys.source(exchange)), env.client.get(keys.compacted),
  ]);
  return { seq, revision, length, source, compacted };
}

describe('fencing', () => {
  it('refuses a commit under a lease value other than the holder\'s and writes nothing', async () => {
    const { keys, log } = await openLog(env.redis, freshPrefix(), 100, cleanup);
    await env.client.set(keys.lease('aaa'), 'r1/1');
    const store = new InstrumentStore();
    const first = prepare(store, 'aaa', of('aaa', 'BTC', 'ETH'));
    expect(await log.commit(first, 0, 'r1/1')).toEqual({ ok: true, seq: 1, revision: 1 });
    store.commitPrepared(first, 1);
    const before = await written(keys, 'aaa');
    expect(Object.keys(before.source)).toHaveLength(2);

    const next = prepare(store, 'aaa', [btc('0.01')]);
    expect(await log.commit(next, 1, 'r2/2')).toEqual({ ok: false, reason: 'lease', holder: 'r1/1' });
    // The holder's replica id with an old token is another lease, too.
    expect(await log.commit(next, 1, 'r1/0')).toEqual({ ok: false, reason: 'lease', holder: 'r1/1' });
    // The lease is checked before the order: a stale poller learns that it lost the lease.
    expect(await log.commit(next, 0, 'r2/2')).toEqual({ ok: false, reason: 'lease', holder: 'r1/1' });
    await env.client.del(keys.lease('aaa'));
    expect(await log.commit(next, 1, 'r1/1')).toEqual({ ok: false, reason: 'lease', holder: '' });
    expect(await written(keys, 'aaa')).toEqual(before);
  });

  it('refuses a poller whose lease expired and was taken over, and takes the new holder\'s commit', async () => {
    const prefix = freshPrefix();
    // Configured short: a's lease runs out, and b takes it over, about a second after a is cut off.
    const leaseMs = 1000;
    const demoted: string[] = [];
    const a = await startKeeper(env.redis, prefix, 'a', ['aaa'], leaseMs, cleanup, { elected: () => undefined, demoted: (e) => demoted.push(e) });
    const stale = await waitFor(() => a.keeper.leaseOf('aaa'), 'a elected');
    const b = await startKeeper(env.redis, prefix, 'b', ['aaa'], leaseMs, cleanup);
    // a's load, prepared while it held the lease; then a is cut off from Redis (a partition, a long pause).
    const delta = prepare(new InstrumentStore(), 'aaa', of('aaa', 'BTC'));
    a.link.close();
    const current = await waitFor(() => b.keeper.leaseOf('aaa'), 'b to take the lease over once a\'s expired');
    // a gives up on its own too (when, relative to the expiry, is lease-keeper.test.ts's business).
    await waitFor(() => demoted.length > 0, 'a to stop polling');
    expect(demoted).toEqual(['aaa']);
    expect(Number(current.split('/')[1])).toBeGreaterThan(Number(stale.split('/')[1]));

    const { keys, log } = await openLog(env.redis, prefix, 100, cleanup);
    expect(await log.commit(delta, 0, stale)).toEqual({ ok: false, reason: 'lease', holder: current });
    expect(await written(keys, 'aaa')).toEqual({ seq: null, revision: null, length: 0, source: {}, compacted: null });
    expect(await log.commit(delta, 0, current)).toEqual({ ok: true, seq: 1, revision: 1 });
  }, 3 * PATIENCE_MS); // three waits at most
});

it('refuses a commit prepared against an older entry, naming the current one', async () => {
  const { keys, log } = await openLog(env.redis, freshPrefix(), 100, cleanup);
  for (const e of ['aaa', 'bbb']) await env.client.set(keys.lease(e), 'r1/1');
  const store = new InstrumentStore();
  const fromA = prepare(store, 'aaa', of('aaa', 'BTC'));
  const fromB = prepare(store, 'bbb', of('bbb', 'ETH'));
  expect(await log.commit(fromA, 0, 'r1/1')).toMatchObject({ ok: true, seq: 1 });
  const before = await written(keys, 'bbb');
  expect(await log.commit(fromB, 0, 'r1/1')).toEqual({ ok: false, reason: 'behind', seq: 1 });
  expect(await written(keys, 'bbb')).toEqual(before);
  expect(await log.commit(fromB, 1, 'r1/1')).toEqual({ ok: true, seq: 2, revision: 2 });
});

it('gives a revision only to entries that change what is served', async () => {
  const { keys, log } = await openLog(env.redis, freshPrefix(), 100, cleanup);
  for (const e of ['aaa', 'bbb']) await env.client.set(keys.lease(e), 'r1/1');
  const store = new InstrumentStore();
  const commit = async (delta: PreparedDelta, seq: number): Promise<unknown> => {
    const result = await log.commit(delta, seq, 'r1/1');
    if (result.ok) store.commitPrepared(delta, result.revision);
    return result;
  };
  expect(await commit(prepare(store, 'aaa', of('aaa', 'BTC', 'ETH')), 0)).toEqual({ ok: true, seq: 1, revision: 1 });
  // A replica restarted from its own state serves it stale; the next load only clears the flags.
  store.restore({ revision: 1, sources: new Map([['aaa', of('aaa', 'BTC', 'ETH')]]), history: [], oldestResumable: 0, retired: [] });
  const confirm = prepare(store, 'aaa', of('aaa', 'BTC', 'ETH'));
  expect([confirm.upserts.length, confirm.changes.length]).toEqual([2, 0]);
  expect(await commit(confirm, 1)).toEqual({ ok: true, seq: 2, revision: 1 });
  // bbb lists BTC too, but aaa's stays served: bbb's source moves, nothing served does.
  const loser = prepare(store, 'bbb', [btc('0.5', 'bbb')]);
  expect([loser.upserts.length, loser.changes.length]).toEqual([1, 0]);
  expect(await commit(loser, 2)).toEqual({ ok: true, seq: 3, revision: 1 });
  expect(await commit(prepare(store, 'bbb', [btc('0.5', 'bbb'), ...of('bbb', 'XRP')]), 3)).toEqual({ ok: true, seq: 4, revision: 2 });

  const entries = await log.entriesThrough('+');
  expect(entries.map((e) => [e.seq, e.revision, e.isBatch])).toEqual([[1, 1, true], [2, 1, false], [3, 1, false], [4, 2, true]]);
  expect(await env.client.get(keys.revision)).toBe('2');
  // The moved sources are in the snapshot all the same.
  expect((await env.client.hkeys(keys.source('bbb'))).sort()).toEqual([btc('0.5').instrumentKey, perpetual('XRP').instrumentKey]);
});

describe('bounded log and compaction point', () => {
  it('keeps maxEntries entries; a replica resumes after the revision before the first kept batch', async () => {
    const prefix = freshPrefix();
    const leader = await startLeader(env.redis, prefix, 3, ['aaa'], cleanup);
    const batches = [];
    for (let i = 1; i <= 6; i++) batches.push(await leader.commit('aaa', [btc(`0.${i}`)], at(i)));
    expect(batches.map((b) => b?.revision)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await env.client.xlen(leader.keys.log)).toBe(3);
    expect(await env.client.get(leader.keys.compacted)).toBe('3');

    const { store } = await startFollower(env.redis, prefix, 3, cleanup);
    expect(store.revision).toBe(6);
    expect(store.oldestResumableRevision).toBe(3);
    expect(store.changesSince(3)).toEqual(batches.slice(3));
    expect(store.changesSince(2)).toBeUndefined();
  });

  it('takes the compaction point from a kept entry that only moved a source', async () => {
    const prefix = freshPrefix();
    const leader = await startLeader(env.redis, prefix, 3, ['aaa', 'bbb'], cleanup);
    for (let i = 1; i <= 3; i++) await leader.commit('aaa', [btc(`0.${i}`)], at(i));
    expect(await leader.commit('bbb', [btc('0.9', 'bbb')], at(4))).toBeUndefined();
    for (let i = 5; i <= 6; i++) await leader.commit('aaa', [btc(`0.${i}`)], at(i));
    // Kept: bbb's entry (written at revision 3, whose batch is gone), then batches 4 and 5.
    expect((await leader.log.entriesThrough('+')).map((e) => [e.revision, e.isBatch])).toEqual([[3, false], [4, true], [5, true]]);
    expect(await env.client.get(leader.keys.compacted)).toBe('3');
    const { store } = await startFollower(env.redis, prefix, 3, cleanup);
    expect(store.oldestResumableRevision).toBe(3);
    expect(store.changesSince(3)?.map((b) => b.revision)).toEqual([4, 5]);
    expect(store.changesSince(2)).toBeUndefined();
  });
});

/** Loads covering additions, updates, removals, a relisting and keys contested by two exchanges. */
const LOADS: [string, () => InstrumentDefinition[]][] = [
  ['aaa', () => of('aaa', 'BTC', 'ETH', 'SOL')],
  ['bbb', () => [...of('bbb', 'XRP', 'DOGE'), btc('0.5', 'bbb')]],
  ['aaa', () => [btc('0.01'), ...of('aaa', 'ETH')]],
  ['bbb', () => [...of('bbb', 'XRP'), btc('0.5', 'bbb')]],
  ['aaa', () => [btc('0.01'), ...of('aaa', 'ETH', 'SOL')]],
  ['aaa', () => of('aaa', 'ETH', 'SOL')],
];

it('loads from the snapshot exactly what an embedded store made of the same loads', async () => {
  const prefix = freshPrefix();
  const leader = await startLeader(env.redis, prefix, 100, ['aaa', 'bbb'], cleanup);
  const embedded = new InstrumentStore();
  for (const [i, [exchange, load]] of LOADS.entries()) {
    await leader.commit(exchange, load(), at(i));
    embedded.applyExchange(exchange, load(), at(i));
  }
  const expected = contentsOf(embedded, ['aaa', 'bbb']);
  expect(expected.revision).toBe(6);
  expect(embedded.retiredDefinitions().map((d) => d.ccxtSymbol)).toEqual(['DOGE/USDT:USDT']);
  expect(embedded.view().byKey.get(btc('0.5').instrumentKey)?.ccxtExchange).toBe('bbb');

  const { store } = await startFollower(env.redis, prefix, 100, cleanup);
  expect(contentsOf(store, ['aaa', 'bbb'])).toEqual(expected);
  expect(contentsOf(leader.store, ['aaa', 'bbb'])).toEqual(expected);
});

it('reloads the snapshot, once, when entries were trimmed before the replica read them', async () => {
  const prefix = freshPrefix();
  const maxEntries = 3;
  const leader = await startLeader(env.redis, prefix, maxEntries, ['aaa'], cleanup);
  const resyncs: string[] = [];
  const replica = await startFollower(env.redis, prefix, maxEntries, cleanup, (reason) => resyncs.push(reason));
  await leader.commit('aaa', of('aaa', 'BTC', 'ETH', 'SOL'), at(1));
  await leader.commit('aaa', of('aaa', 'BTC', 'ETH'), at(2));
  await waitFor(() => replica.store.revision === 2 || notYet(replica.store.revision), 'the replica at revision 2');
  expect(replica.store.retiredDefinitions().map((d) => d.ccxtSymbol)).toEqual(['SOL/USDT:USDT']);

  await replica.follower.stop();
  // SOL comes back, then more batches than the log keeps.
  await leader.commit('aaa', of('aaa', 'BTC', 'ETH', 'SOL'), at(3));
  for (let i = 4; i <= 7; i++) await leader.commit('aaa', [btc(`0.${i}`), ...of('aaa', 'ETH', 'SOL')], at(i));
  expect(leader.store.revision).toBe(7);
  replica.follower.start();
  await waitFor(() => replica.store.revision === 7 || notYet(replica.store.revision), 'the replica at the shared revision');
  // One more batch read normally: the replica follows the log again, and is done with the old read.
  await leader.commit('aaa', [btc('0.8'), ...of('aaa', 'ETH', 'SOL')], at(8));
  await waitFor(() => replica.follower.appliedSeq === 8 || notYet(replica.follower.appliedSeq), 'the replica at entry 8');

  expect(resyncs).toHaveLength(1);
  expect(resyncs[0]).toMatch(/entry \d+ follows 2 here: entries were trimmed/);
  expect(contentsOf(replica.store, ['aaa'])).toEqual(contentsOf(leader.store, ['aaa']));
  expect(replica.store.retiredDefinitions()).toEqual([]);
}, 4 * PATIENCE_MS); // four waits at most: the leader's election, then the replica at 2, 7 and 8
