import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { RedisKeys } from '../../../src/adapters/redis/redis-keys.js';
import { RedisLink } from '../../../src/adapters/redis/redis-link.js';
import { SharedLog } from '../../../src/adapters/redis/shared-log.js';
import { LeaseKeeper, type LeadershipEvents } from '../../../src/app/replica/lease-keeper.js';
import { logCommitter } from '../../../src/app/replica/log-committer.js';
import { LogFollower } from '../../../src/app/replica/log-follower.js';
import { InstrumentStore } from '../../../src/store/instrument-store.js';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startRedis, type TestRedis } from '../../support/redis-server.js';
import { PATIENCE_MS, waitFor } from '../../support/wait-for.js';

// In-process pieces of Redis mode wired as start-replica.ts wires them, on a real redis-server,
// each test under a key prefix of its own so tests share nothing.

export const silent = pino({ level: 'silent' });

/**
 * A failure detector only: no test waits for a call to time out (a killed Redis fails calls at
 * once, the offline queue being off). The slowest call is large-commit.test.ts's first load of
 * 120,000 instruments, one script: 3.5 s idle, 6.3 s with two CPU hogs, slower still beside the
 * replica suite; two waits' patience keeps a loaded machine well clear of it.
 */
export const COMMAND_TIMEOUT_MS = 2 * PATIENCE_MS;
/** Configured short, so stopping a follower (which waits out its blocking read) is quick. */
export const READ_BLOCK_MS = 200;
/** Configured: a follower whose read failed tries again this soon (Redis is local). */
export const FOLLOWER_RETRY_MS = 50;
/** A lease no test outlives: the leader keeps its exchanges whatever the machine's pauses. */
const LEADER_LEASE_MS = 10 * PATIENCE_MS;

export const freshPrefix = (): string => `t-${randomBytes(6).toString('hex')}`;

/** Cleanups registered as things open, run newest first (afterEach). */
export class Cleanup {
  private readonly steps: (() => Promise<void> | void)[] = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** A test file's own redis-server (started before its tests, closed after) and a client of it. */
export interface RedisEnv {
  readonly redis: TestRedis;
  readonly client: Redis;
}

/** Registers the hooks: one redis-server per file, each test's cleanups run after it. */
export function useRedis(cleanup: Cleanup): RedisEnv {
  let started: { redis: TestRedis; client: Redis } | undefined;
  beforeAll(async () => {
    const redis = await startRedis();
    started = { redis, client: redis.client() };
  });
  afterEach(() => cleanup.run());
  afterAll(() => started?.redis.close());
  const get = (): { redis: TestRedis; client: Redis } => {
    if (started === undefined) throw new Error('redis-server is not started yet (use it inside a test)');
    return started;
  };
  return { get redis() { return get().redis; }, get client() { return get().client; } };
}

export async function openLink(redis: TestRedis, cleanup: Cleanup): Promise<RedisLink> {
  const link = await RedisLink.connect(redis.url, { commandTimeoutMs: COMMAND_TIMEOUT_MS, readBlockMs: READ_BLOCK_MS });
  cleanup.add(() => link.close());
  return link;
}

export async function openLog(redis: TestRedis, prefix: string, maxEntries: number, cleanup: Cleanup): Promise<{ link: RedisLink; keys: RedisKeys; log: SharedLog }> {
  const link = await openLink(redis, cleanup);
  const keys = new RedisKeys(prefix);
  return { link, keys, log: new SharedLog(link, keys, maxEntries) };
}

/** A keeper on a link of its own (as a replica has), stopped by the cleanup unless stopped before. */
export async function startKeeper(redis: TestRedis, prefix: string, id: string, exchanges: readonly string[], leaseMs: number, cleanup: Cleanup, events?: LeadershipEvents): Promise<{ keeper: LeaseKeeper; link: RedisLink }> {
  const link = await openLink(redis, cleanup);
  const keeper = new LeaseKeeper(link, new RedisKeys(prefix), id, exchanges, leaseMs, silent);
  cleanup.add(() => keeper.stop());
  keeper.start(events ?? { elected: () => undefined, demoted: () => undefined });
  return { keeper, link };
}

export async function startFollower(redis: TestRedis, prefix: string, maxEntries: number, cleanup: Cleanup, onResync: (reason: string) => void = () => undefined) {
  const shared = await openLog(redis, prefix, maxEntries, cleanup);
  const store = new InstrumentStore();
  const follower = new LogFollower(shared.log, store, silent, { blockMs: READ_BLOCK_MS, retryMs: FOLLOWER_RETRY_MS, onResync });
  await follower.load();
  follower.start();
  cleanup.add(() => follower.stop());
  return { ...shared, store, follower };
}

/**
 * A replica that polls: follower, lease keeper (alone, so it is elected for every exchange) and
 * the real commit path (logCommitter). `commit` resolves once the load is applied here.
 */
export async function startLeader(redis: TestRedis, prefix: string, maxEntries: number, exchanges: readonly string[], cleanup: Cleanup) {
  const replica = await startFollower(redis, prefix, maxEntries, cleanup);
  const { keeper } = await startKeeper(redis, prefix, 'leader', exchanges, LEADER_LEASE_MS, cleanup);
  await waitFor(() => exchanges.every((e) => keeper.leaseOf(e) !== undefined), 'the leader elected for every exchange');
  // How long a commit waits for this replica's follower to read it back: one wait's patience.
  const apply = logCommitter(replica.store, replica.log, replica.follower, keeper, PATIENCE_MS);
  return { ...replica, keeper, commit: (exchange: string, definitions: InstrumentDefinition[], loadedAt: Date) => apply(exchange, definitions, loadedAt) };
}

const comparable = (definitions: Iterable<InstrumentDefinition>): unknown[] =>
  [...definitions].map((d) => InstrumentDefinition.toJSON(d)).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

/** What a store serves and remembers (and each exchange's own list), in a form two stores can be compared by. */
export function contentsOf(store: InstrumentStore, exchanges: readonly string[]) {
  return {
    revision: store.revision,
    live: comparable(store.view().byKey.values()),
    retired: comparable(store.retiredDefinitions()),
    sources: Object.fromEntries(exchanges.map((e) => [e, comparable(store.sourceOf(e).values())])),
  };
}
