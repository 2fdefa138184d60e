import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { InstrumentServiceClient } from '../../../gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer, type ReplayServer } from '../../../src/adapters/replay/index.js';
import { startCli, type CliProcess } from '../../support/demo-process.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../../support/fixtures.js';
import { startRedis, type TestRedis } from '../../support/redis-server.js';
import { rpcOf, type Rpc } from '../../support/service-harness.js';

/**
 * Two real recordings per changing exchange (see test/soak/soak-server.ts): remounting flips the
 * next refresh into real changes. dydx never changes.
 */
export const RECORDINGS: Record<string, readonly [string, string]> = {
  binanceusdm: [join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'), join(EXCHANGES_DIR, 'binanceusdm')],
  kraken: [join(EXCHANGES_DATED_DIR, 'kraken@2025-06-11'), join(EXCHANGES_DATED_DIR, 'kraken@2025-09-11')],
};
const STATIC: Record<string, string> = { dydx: join(EXCHANGES_DIR, 'dydx') };
export const EXCHANGE_IDS = [...Object.keys(RECORDINGS), ...Object.keys(STATIC)];

export interface Replica {
  id: string;
  cli: CliProcess;
  client: InstrumentServiceClient;
  rpc: Rpc;
}

export interface ClusterSettings {
  leaseSeconds: number;
  intervalSeconds: number;
  streamMaxEntries: number;
}

/**
 * A Redis-mode deployment: a real redis-server, the replay exchange, and replicas running the
 * built CLI's `serve`. Each replica reaches the exchanges through a replay prefix of its own
 * (`<replica>-<exchange>`, the same recordings), so the replay server's log tells which replica
 * polled what.
 */
export class ReplicaCluster {
  readonly replicas = new Map<string, Replica>();
  private readonly recording = new Map(Object.keys(RECORDINGS).map((id) => [id, 0]));
  private readonly mounted = new Set<string>();

  private constructor(readonly redis: TestRedis, readonly replay: ReplayServer, private readonly dir: string, readonly settings: ClusterSettings) {}

  static async start(settings: ClusterSettings): Promise<ReplicaCluster> {
    const redis = await startRedis();
    const replay = await startReplayServer({});
    return new ReplicaCluster(redis, replay, mkdtempSync(join(tmpdir(), 'replicas-')), settings);
  }

  private setOf(exchange: string): string {
    const pair = RECORDINGS[exchange];
    return pair === undefined ? (STATIC[exchange] as string) : (pair[this.recording.get(exchange) ?? 0] as string);
  }

  async startReplica(id: string): Promise<Replica> {
    for (const exchange of EXCHANGE_IDS) {
      await this.replay.mount(`${id}-${exchange}`, this.setOf(exchange));
      this.mounted.add(`${id}-${exchange}`);
    }
    const config = join(this.dir, `${id}.yaml`);
    writeFileSync(config, JSON.stringify({
      store: this.redis.url,
      redis: { replica_id: id, lease_seconds: this.settings.leaseSeconds, stream_max_entries: this.settings.streamMaxEntries },
      live: {
        exchanges: Object.fromEntries(EXCHANGE_IDS.map((exchange) => [exchange, { ccxt: { proxyUrl: this.replay.proxyUrlFor(`${id}-${exchange}`) } }])),
        update_interval_seconds: this.settings.intervalSeconds, jitter_ratio: 0, max_concurrent_loads: 2,
      },
      http: { listen: '127.0.0.1:0' }, logging: { level: 'info', format: 'json' },
    }));
    const cli = await startCli(['serve', '--config', config, '--listen', '127.0.0.1:0'], 60_000);
    const client = new InstrumentServiceClient(`127.0.0.1:${cli.port}`, credentials.createInsecure());
    const replica = { id, cli, client, rpc: rpcOf(client) };
    this.replicas.set(id, replica);
    return replica;
  }

  /** SIGKILL: no lease handed back, no goodbye. */
  async kill(id: string): Promise<void> {
    const replica = this.replicas.get(id);
    if (replica === undefined) return;
    this.replicas.delete(id);
    replica.client.close();
    const exited = new Promise((r) => replica.cli.child.once('exit', r));
    replica.cli.child.kill('SIGKILL');
    await exited;
  }

  /** Remounts every replica's prefix of `exchange` on its other recording. */
  async flip(exchange: string): Promise<void> {
    this.recording.set(exchange, 1 - (this.recording.get(exchange) ?? 0));
    for (const prefix of this.mounted) if (prefix.endsWith(`-${exchange}`)) await this.replay.mount(prefix, this.setOf(exchange));
  }

  /** Which replicas requested each exchange since `sinceMs`, with counts. */
  pollers(sinceMs: number): Map<string, Map<string, number>> {
    const out = new Map(EXCHANGE_IDS.map((e) => [e, new Map<string, number>()]));
    for (const entry of this.replay.requestLog()) {
      if (entry.at < sinceMs || entry.prefix === null) continue;
      const cut = entry.prefix.indexOf('-');
      const counts = out.get(entry.prefix.slice(cut + 1));
      const replica = entry.prefix.slice(0, cut);
      counts?.set(replica, (counts.get(replica) ?? 0) + 1);
    }
    return out;
  }

  /** The requests for `exchange` since `sinceMs`, in order, as [replica, time]. */
  requests(exchange: string, sinceMs: number): [string, number][] {
    return this.replay.requestLog()
      .filter((e) => e.at >= sinceMs && e.prefix !== null && e.prefix.endsWith(`-${exchange}`))
      .map((e) => [(e.prefix as string).slice(0, (e.prefix as string).indexOf('-')), e.at]);
  }

  async close(): Promise<void> {
    for (const replica of this.replicas.values()) {
      replica.client.close();
      await replica.cli.stop();
    }
    await this.replay.close();
    await this.redis.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
