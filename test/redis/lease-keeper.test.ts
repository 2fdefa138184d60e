// The per-exchange election on a real redis-server: exchanges are split fairly between the
// replicas alive, never polled by two at once, every grant takes a new fencing token, a replica
// that stops hands its leases over at once, and one cut off from Redis stops polling before its
// lease can run out (so no two replicas poll the same exchange at the same time).
import { expect, it } from 'vitest';
import { RedisKeys } from '../../src/adapters/redis/redis-keys.js';
import { holderOf, LeaseKeeper } from '../../src/app/replica/lease-keeper.js';
import { startDelayProbe } from '../support/machine-delay.js';
import { startRedis } from '../support/redis-server.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { takenInTheNextRound, watchKeys } from './support/key-events.js';
import { Cleanup, useRedis, freshPrefix, openLink, silent, startKeeper } from './support/redis-mode.js';

const EXCHANGES = ['aaa', 'bbb', 'ccc'];
const cleanup = new Cleanup();
const env = useRedis(cleanup);

const tokenOf = (leaseValue: string): number => Number(leaseValue.slice(leaseValue.lastIndexOf('/') + 1));

/**
 * Watches one deployment's leases in Redis against what its keepers believe: records every lease
 * value granted per exchange, and any moment two keepers poll the same exchange.
 */
class LeaseWatch {
  readonly granted = new Map<string, string[]>(EXCHANGES.map((e) => [e, []]));
  readonly overlaps: string[] = [];

  constructor(private readonly keys: RedisKeys, private readonly keepers: LeaseKeeper[]) {}

  /** Resolves once each keeper polls as many exchanges as `split` says, in agreement with Redis. */
  settle(split: Record<string, number>): Promise<true> {
    return waitFor(async () => {
      const values = await env.client.mget(EXCHANGES.map((e) => this.keys.lease(e)));
      let settled = true;
      EXCHANGES.forEach((exchange, i) => {
        const value = values[i] ?? '';
        const seen = this.granted.get(exchange) as string[];
        if (value !== '' && seen.at(-1) !== value) seen.push(value);
        const polling = this.keepers.filter((k) => k.leaseOf(exchange) !== undefined).map((k) => k.replicaId);
        if (polling.length > 1) this.overlaps.push(`${exchange} polled by ${polling.join(' and ')}`);
        // Settled: the lease is held, and its holder alone polls it, with that very lease value.
        settled &&= value !== '' && this.keepers.every((k) => k.leaseOf(exchange) === (holderOf(value) === k.replicaId ? value : undefined));
      });
      const counts = Object.fromEntries(this.keepers.map((k) => [k.replicaId, k.polling().length]));
      return settled && JSON.stringify(counts) === JSON.stringify(split) ? true : notYet({ values, counts });
    }, `leases split ${JSON.stringify(split)}`);
  }
}

it('splits the exchanges fairly as replicas join, one poller per exchange, a new token per grant', async () => {
  const prefix = freshPrefix();
  // Configured short: rounds every half second, so the split settles quickly as replicas join.
  const leaseMs = 1500;
  const keepers: LeaseKeeper[] = [];
  const watch = new LeaseWatch(new RedisKeys(prefix), keepers);
  keepers.push((await startKeeper(env.redis, prefix, 'r1', EXCHANGES, leaseMs, cleanup)).keeper);
  await watch.settle({ r1: 3 });
  keepers.push((await startKeeper(env.redis, prefix, 'r2', EXCHANGES, leaseMs, cleanup)).keeper);
  await watch.settle({ r1: 2, r2: 1 });
  keepers.push((await startKeeper(env.redis, prefix, 'r3', EXCHANGES, leaseMs, cleanup)).keeper);
  await watch.settle({ r1: 1, r2: 1, r3: 1 });

  expect(watch.overlaps).toEqual([]);
  // Two exchanges changed hands; every grant's token is above the one before, the last is the counter.
  expect([...watch.granted.values()].filter((values) => values.length > 1)).toHaveLength(2);
  for (const [exchange, values] of watch.granted) {
    const tokens = values.map(tokenOf);
    expect(tokens, exchange).toEqual([...tokens].sort((a, b) => a - b));
    expect(new Set(tokens).size, exchange).toBe(tokens.length);
    expect(await env.client.get(new RedisKeys(prefix).fence(exchange)), exchange).toBe(String(tokens.at(-1)));
  }
}, 3 * PATIENCE_MS); // three waits at most

it('hands the leases back on stop: another replica takes them in its next round, before they could expire', async () => {
  const prefix = freshPrefix();
  const keys = new RedisKeys(prefix);
  // Configured: rounds every second, so a lease renewed at most a round ago has two thirds to run.
  const leaseMs = 3000;
  const demoted: string[] = [];
  const first = await startKeeper(env.redis, prefix, 'r1', EXCHANGES, leaseMs, cleanup, { elected: () => undefined, demoted: (e, why) => demoted.push(`${e}: ${why}`) });
  const keepers = [first.keeper];
  const watch = new LeaseWatch(keys, keepers);
  await watch.settle({ r1: 3 });
  keepers.push((await startKeeper(env.redis, prefix, 'r2', EXCHANGES, leaseMs, cleanup)).keeper);
  await watch.settle({ r1: 2, r2: 1 });

  const handed = first.keeper.polling();
  const oldTokens = handed.map((e) => tokenOf(first.keeper.leaseOf(e) as string));
  const events = await watchKeys(env.redis, [...handed.map((e) => keys.lease(e)), keys.replicas]);
  cleanup.add(() => events.close());
  const readAt = Date.now();
  const remaining = await Promise.all(handed.map((e) => env.client.pttl(keys.lease(e))));
  const expireNoSoonerThan = readAt + Math.min(...remaining);
  demoted.length = 0;
  await first.keeper.stop();
  expect(demoted.sort()).toEqual(handed.map((e) => `${e}: shutting down`));
  // Handed back, not merely left to expire.
  for (const value of await env.client.mget(handed.map((e) => keys.lease(e)))) expect(value ?? '').not.toMatch(/^r1\//);

  const second = keepers[1] as LeaseKeeper;
  await waitFor(() => second.polling().length === 3 || notYet(second.polling()), 'r2 to poll every exchange');
  const takenAt = Date.now();
  // "Before they could expire", as Redis ran it rather than by the clock: each lease was deleted
  // (handed back), none expired, and r2's first round after took it. The clock would race on a
  // loaded machine: r2's next round is due a third of a lease after its last plus the machine's
  // delay, the expiry two thirds of a lease after r1's last renewal minus it.
  const verdicts = await waitFor(() => {
    const leases = handed.map((e) => keys.lease(e));
    const granted = leases.every((lease) => events.seen.some((e) => e.key === lease && e.event === 'set'));
    return granted ? leases.map((lease) => takenInTheNextRound(events.seen, lease, keys.replicas)) : notYet(events.seen);
  }, 'Redis\'s notice of every handed lease granted again');
  console.log(`r2 polled every exchange ${takenAt - readAt} ms after the stop began; left to expire, the leases could not have been taken for another ${expireNoSoonerThan - takenAt} ms`);
  expect(verdicts).toEqual(handed.map(() => ''));
  handed.forEach((e, i) => expect(tokenOf(second.leaseOf(e) as string)).toBeGreaterThan(oldTokens[i] as number));
  expect(watch.overlaps).toEqual([]);
}, 4 * PATIENCE_MS); // four waits at most

it('stops polling when Redis does not answer, before its lease could have run out', async () => {
  const own = await startRedis();
  cleanup.add(() => own.close());
  // Configured: the keeper stops polling 0.9 × this after its last answered round.
  const leaseMs = 4000;
  // This process's timer lateness over the test: how late the keeper's own expiry timer can fire.
  const delay = startDelayProbe();
  cleanup.add(() => delay.stop());
  const link = await openLink(own, cleanup);
  // Each election round's start and outcome: the lease a round grants runs from no sooner than its start.
  const rounds: { startedAt: number; ok: boolean | undefined }[] = [];
  const script = link.script.bind(link);
  link.script = (name, keys, args) => {
    const round = { startedAt: Date.now(), ok: undefined as boolean | undefined };
    if (name === 'liElect') rounds.push(round);
    const reply = script(name, keys, args);
    reply.then(() => { round.ok = true; }, () => { round.ok = false; });
    return reply;
  };
  const keeper = new LeaseKeeper(link, new RedisKeys(freshPrefix()), 'r1', EXCHANGES, leaseMs, silent);
  cleanup.add(() => keeper.stop());
  const demoted = new Map<string, { at: number; why: string }>();
  keeper.start({ elected: () => undefined, demoted: (e, why) => demoted.set(e, { at: Date.now(), why }) });
  // Elected, and renewed once since, so the lease it gives up is a renewed one.
  await waitFor(() => (keeper.polling().length === 3 && rounds.filter((r) => r.ok).length >= 2) || notYet(rounds), 'the keeper elected and renewed');

  const killedAt = Date.now();
  await own.kill();
  await waitFor(() => demoted.size === 3 || notYet([...demoted.keys()]), 'the keeper to stop polling');
  const lateMs = delay.maxLagMs();
  const lastOk = rounds.filter((r) => r.ok === true).at(-1)?.startedAt as number;
  expect(lastOk).toBeLessThan(killedAt);
  // It kept trying meanwhile.
  expect(rounds.some((r) => r.startedAt > killedAt && r.ok === false)).toBe(true);
  // lease-keeper.ts sets the expiry timer for its round's start + 0.9 × lease (the round's start
  // is Date.now() a moment before the wrapper above records it). So it stops polling: not before
  // that (the lease surely ran: -5 ms for the keeper's start being taken a little before ours, in
  // whole ms), and no later than that plus how late this process's timers fired (the probe's
  // max, which includes its 10 ms sampling resolution) and 1 ms for Date.now()'s whole ms. The
  // guarantee it serves, stopping before the lease that round granted can have run out, holds
  // while that lateness stays under 0.1 × lease; it is reported.
  const latestMs = 0.9 * leaseMs + lateMs + 1;
  for (const [exchange, { at, why }] of demoted) {
    expect(why, exchange).toMatch(/lease not renewed in time/);
    expect(at, exchange).toBeGreaterThanOrEqual(lastOk + 0.9 * leaseMs - 5);
    expect(at - lastOk, exchange).toBeLessThanOrEqual(latestMs);
  }
  console.log(`stopped polling ${[...demoted.values()].map(({ at }) => at - lastOk).join('/')} ms after the last answered round (from ${0.9 * leaseMs}, at most ${latestMs.toFixed(1)}: timers up to ${lateMs.toFixed(1)} ms late; its lease ran ${leaseMs} ms)`);
  expect(keeper.polling()).toEqual([]);
}, 2 * PATIENCE_MS); // two waits at most
