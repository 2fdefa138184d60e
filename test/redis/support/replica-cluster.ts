import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { RedisKeys } from '../../../src/adapters/redis/redis-keys.js';
import { FLIPPING, RecordedExchanges } from '../../support/recordings.js';
import { startRedis, type TestRedis } from '../../support/redis-server.js';
import { launch, type Served } from '../../support/service-harness.js';

/** binanceusdm and kraken flip between two real recordings (FLIPPING); dydx never changes. */
export const EXCHANGE_IDS = [...Object.keys(FLIPPING), 'dydx'];

/** The keys the replicas share (the default key_prefix). */
export const SHARED_KEYS = new RedisKeys('live-instruments');

/** One replica: the harness's child-process service, named by its replica id. */
export interface Replica extends Served {
  readonly id: string;
}

export interface ClusterSettings {
  /** redis.lease_seconds: how long a dead poller's exchange waits for another replica. */
  leaseSeconds: number;
  /** live.update_interval_seconds: how often the poller of an exchange refreshes it. */
  intervalSeconds: number;
  /** redis.stream_max_entries. */
  streamMaxEntries: number;
}

/**
 * A Redis-mode deployment: a real redis-server, one replay exchange for all, and replicas running
 * the built CLI's `serve` (the shared harness, child mode). Each replica reaches the exchanges
 * under replay prefixes of its own (`<replica>-<exchange>`, the same recordings, flipped together),
 * so the replay's request log tells which replica polled what.
 */
export class ReplicaCluster {
  readonly replicas = new Map<string, Replica>();
  /** Every replica's harness directory (config file), removed at close: the shared replay outlives them. */
  private readonly dirs = new Set<string>();

  private constructor(readonly redis: TestRedis, readonly recorded: RecordedExchanges, readonly settings: ClusterSettings) {}

  static async start(settings: ClusterSettings): Promise<ReplicaCluster> {
    const redis = await startRedis();
    return new ReplicaCluster(redis, await RecordedExchanges.start(), settings);
  }

  async startReplica(id: string): Promise<Replica> {
    const served = await launch({
      process: 'child', recorded: this.recorded, prefix: id, exchanges: EXCHANGE_IDS,
      config: {
        store: this.redis.url,
        redis: { replica_id: id, lease_seconds: this.settings.leaseSeconds, stream_max_entries: this.settings.streamMaxEntries },
        live: { update_interval_seconds: this.settings.intervalSeconds, max_concurrent_loads: 2 },
      },
    });
    this.dirs.add(dirname(served.configFile));
    const replica: Replica = { ...served, id };
    this.replicas.set(id, replica);
    return replica;
  }

  /**
   * SIGKILL: no lease handed back, no goodbye. The signal is sent before this returns (the
   * harness's kill sends it synchronously); the promise resolves once the process has exited.
   */
  kill(id: string): Promise<void> {
    const replica = this.replicas.get(id);
    if (replica === undefined) return Promise.resolve();
    this.replicas.delete(id);
    return replica.kill();
  }

  /** SIGTERM (a graceful stop: leases handed back) and the exit code. */
  async stop(id: string): Promise<number | null> {
    const replica = this.replicas.get(id);
    if (replica === undefined) throw new Error(`no replica ${id}`);
    this.replicas.delete(id);
    replica.client.close();
    return (replica.cli as NonNullable<Replica['cli']>).stop();
  }

  /** Remounts every replica's prefix of `exchange` on its other recording. */
  flip(exchange: string): Promise<void> {
    return this.recorded.flip(exchange);
  }

  /** Which replicas requested each exchange since `sinceMs`, with counts. */
  pollers(sinceMs: number): Map<string, Map<string, number>> {
    const out = new Map(EXCHANGE_IDS.map((e) => [e, new Map<string, number>()]));
    for (const [exchange, replica] of this.requestsSince(sinceMs)) {
      const counts = out.get(exchange);
      counts?.set(replica, (counts.get(replica) ?? 0) + 1);
    }
    return out;
  }

  /** The requests for `exchange` since `sinceMs`, in order, as [replica, time]. */
  requests(exchange: string, sinceMs: number): [string, number][] {
    return this.requestsSince(sinceMs).filter(([e]) => e === exchange).map(([, replica, at]) => [replica, at]);
  }

  /** [exchange, replica, time] of every request since `sinceMs`, from the replay's prefixes. */
  private requestsSince(sinceMs: number): [string, string, number][] {
    return this.recorded.replay.requestLog().flatMap((entry) => {
      if (entry.at < sinceMs || entry.prefix === null) return [];
      const cut = entry.prefix.indexOf('-');
      return [[entry.prefix.slice(cut + 1), entry.prefix.slice(0, cut), entry.at] as [string, string, number]];
    });
  }

  async close(): Promise<void> {
    for (const replica of this.replicas.values()) await replica.close();
    this.replicas.clear();
    await this.recorded.close();
    await this.redis.close();
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
