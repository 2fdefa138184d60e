import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { Subscription } from 'rxjs';
import type { ExchangeStatus, StoreStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import { RedisKeys } from '../../adapters/redis/redis-keys.js';
import { displayUrl, RedisLink } from '../../adapters/redis/redis-link.js';
import { SharedLog } from '../../adapters/redis/shared-log.js';
import type { InstrumentStore } from '../../store/instrument-store.js';
import type { RedisStoreConfig } from '../config.js';
import { describeError } from '../../domain/describe-error.js';
import { stalenessSeconds } from '../exchange-status-tracker.js';
import { StartupError } from '../startup-error.js';
import type { RefreshDeps } from '../exchange-refresher.js';
import type { Refreshing } from '../refreshing.js';
import { LeaseKeeper } from './lease-keeper.js';
import { clockCommitter, logCommitter } from './log-committer.js';
import { LogFollower } from './log-follower.js';
import { StatusBoard } from './status-board.js';

/** This process as one replica of a Redis-mode deployment. */
export interface Replica {
  readonly replicaId: string;
  /** Applies a poller's load through the shared log. */
  commit: NonNullable<RefreshDeps['commit']>;
  commitClock: NonNullable<RefreshDeps['commitClock']>;
  /** Joins the election: exchanges are polled (refreshing.poll) while their lease is held here. */
  lead(refreshing: Refreshing): void;
  /** Whether this replica polls `exchange` now. */
  polls(exchange: string): boolean;
  /** GetStatus's exchanges: this replica's own for what it polls, the pollers' reports for the rest. */
  statuses(own: ExchangeStatus[]): ExchangeStatus[];
  storeStatus(): StoreStatus;
  /** Waits (bounded) for the store to reach a revision another replica already served. */
  awaitRevision(revision: number): Promise<boolean>;
  /** Hands the leases back (another replica takes over at once) and stops polling. */
  stopLeading(): Promise<void>;
  /** Stops following the log and closes the connections. */
  close(): Promise<void>;
}

const READ_BLOCK_MS = 1000;

/**
 * Connects to Redis, loads the shared snapshot into `store` and follows the change log. Fails
 * (naming the URL without its password) when Redis cannot be reached at start: there is nothing
 * to serve yet, and a supervisor restarting the process is the clearest signal.
 */
export async function startReplica(config: RedisStoreConfig, store: InstrumentStore, exchanges: readonly string[], log: Logger, onResync: (reason: string) => void): Promise<Replica> {
  const replicaId = config.replicaId ?? `${hostname()}-${process.pid}`;
  const commandTimeoutMs = config.commandTimeoutSeconds * 1000;
  const leaseMs = config.leaseSeconds * 1000;
  const link = await RedisLink.connect(config.url, { commandTimeoutMs, readBlockMs: READ_BLOCK_MS }).catch((error: unknown) => {
    throw new StartupError(error instanceof Error ? error.message : String(error));
  });
  const keys = new RedisKeys(config.keyPrefix);
  const sharedLog = new SharedLog(link, keys, config.streamMaxEntries);
  const follower = new LogFollower(sharedLog, store, log, { blockMs: READ_BLOCK_MS, retryMs: 250, onResync });
  const board = new StatusBoard(link, keys);
  let snapshot;
  try {
    await warnWithoutPersistence(link, log);
    snapshot = await follower.load();
    await board.read();
  } catch (error) {
    link.close();
    throw new StartupError(`cannot load the shared state from Redis at ${displayUrl(config.url)}: ${describeError(error)}`);
  }
  follower.start();
  log.info({ store: displayUrl(config.url), replicaId, revision: snapshot.revision, seq: snapshot.seq, exchanges: snapshot.sources.size, resumableFrom: store.oldestResumableRevision }, 'loaded the shared snapshot from Redis');

  const leases = new LeaseKeeper(link, keys, replicaId, exchanges, leaseMs, log);
  const commitWaitMs = Math.max(2 * commandTimeoutMs, 2 * READ_BLOCK_MS);
  const commit = logCommitter(store, sharedLog, follower, leases, commitWaitMs);
  const commitClock = clockCommitter(store, sharedLog, follower, leases, commitWaitMs);
  let reports: Subscription | undefined;
  let boardTimer: NodeJS.Timeout | undefined;
  return {
    replicaId,
    commit,
    commitClock,
    lead: (refreshing) => {
      // The poller's report of every attempt, for the other replicas' GetStatus.
      reports = refreshing.events$.subscribe((event) => {
        const own = refreshing.exchanges.statuses().find((s) => s.ccxtExchange === event.exchange);
        if (own !== undefined && leases.leaseOf(event.exchange) !== undefined) board.publish({ ...own, polledBy: replicaId }).catch(() => undefined);
      });
      const readBoard = (): void => {
        boardTimer = setTimeout(() => void board.read().catch(() => undefined).finally(readBoard), leaseMs / 3);
      };
      readBoard();
      leases.start({ elected: (id) => refreshing.poll(id, true), demoted: (id) => refreshing.poll(id, false) });
    },
    polls: (exchange) => leases.leaseOf(exchange) !== undefined,
    statuses: (own) => own.map((status) => {
      if (leases.leaseOf(status.ccxtExchange) !== undefined) return { ...status, polledBy: replicaId };
      const report = board.get(status.ccxtExchange) ?? status;
      return {
        ...report, polledBy: leases.holderOf(status.ccxtExchange), instrumentCount: store.countFor(status.ccxtExchange), servingSnapshot: false,
        stalenessSeconds: stalenessSeconds(report.lastSuccessTime),
      };
    }),
    storeStatus: () => ({
      mode: 'redis', replicaId, connected: link.health.connected, lastContactTime: link.health.lastContact, lastError: link.health.lastError,
      polling: leases.polling(), sharedRevision: Math.max(board.sharedRevision, store.revision),
    }),
    awaitRevision: (revision) => follower.awaitRevision(revision, Math.max(commandTimeoutMs, READ_BLOCK_MS) * 2),
    stopLeading: async () => {
      clearTimeout(boardTimer);
      await leases.stop();
      reports?.unsubscribe();
    },
    close: async () => {
      await follower.stop();
      link.close();
    },
  };
}

/** Acknowledged batches survive a Redis restart only if Redis persists them: say so when it does not. */
async function warnWithoutPersistence(link: RedisLink, log: Logger): Promise<void> {
  try {
    const reply = await link.client.config('GET', 'appendonly') as string[];
    if (reply[1] === 'no') log.warn('Redis runs without appendonly: a Redis restart can lose applied batches; run it with appendonly yes (appendfsync always to lose nothing acknowledged)');
  } catch {
    // CONFIG is often disabled on managed Redis; nothing to tell then.
  }
}
