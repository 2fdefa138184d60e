import type { Logger } from 'pino';
import type { RedisKeys } from '../../adapters/redis/redis-keys.js';
import type { RedisLink } from '../../adapters/redis/redis-link.js';
import { ELECT, RELEASE } from '../../adapters/redis/redis-scripts.js';
import { describeError } from '../../domain/describe-error.js';

export interface LeadershipEvents {
  elected(exchange: string): void;
  demoted(exchange: string, why: string): void;
}

/** The replica id in a lease value `<replica id>/<fencing token>`. */
export const holderOf = (leaseValue: string): string => leaseValue.slice(0, leaseValue.lastIndexOf('/'));

/**
 * This replica's side of the per-exchange election: every third of the lease it heartbeats,
 * renews the leases it holds and takes free ones up to its fair share (ELECT). It stops polling an
 * exchange as soon as a round says another replica holds it, and, when Redis does not answer, a
 * little before its lease can have run out (a stale poller's writes would be refused anyway: the
 * lease value is the fencing token every commit is checked against).
 */
export class LeaseKeeper {
  /** Lease values this replica holds, by exchange. */
  private readonly held = new Map<string, string>();
  /** Every exchange's holder after the last round that answered ('' for none). */
  private readonly holders = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private expiry: NodeJS.Timeout | undefined;
  private stopped = false;
  private round: Promise<void> | undefined;
  private events: LeadershipEvents = { elected: () => undefined, demoted: () => undefined };

  constructor(
    private readonly link: RedisLink,
    private readonly keys: RedisKeys,
    readonly replicaId: string,
    private readonly exchanges: readonly string[],
    private readonly leaseMs: number,
    private readonly log: Logger,
  ) {
    link.define('liElect', ELECT);
    link.define('liRelease', RELEASE);
  }

  start(events: LeadershipEvents): void {
    this.events = events;
    const tick = (): void => {
      if (this.stopped) return;
      this.round = this.elect().then((nextMs) => {
        if (!this.stopped) this.timer = setTimeout(tick, nextMs);
      });
    };
    tick();
  }

  /** The lease value to commit with, while this replica holds the exchange. */
  leaseOf(exchange: string): string | undefined {
    return this.held.get(exchange);
  }

  /** The replica polling `exchange`, as of the last round ('' when none). */
  holderOf(exchange: string): string {
    const value = this.holders.get(exchange) ?? '';
    return value === '' ? '' : holderOf(value);
  }

  polling(): string[] {
    return [...this.held.keys()].sort();
  }

  /** One round; resolves with the time to the next: a third of the lease, or sooner when another's lease runs out. */
  private async elect(): Promise<number> {
    const started = Date.now();
    const keys = [this.keys.replicas, ...this.exchanges.flatMap((e) => [this.keys.lease(e), this.keys.fence(e)])];
    let reply: unknown[];
    try {
      reply = await this.link.script('liElect', keys, [this.replicaId, Math.round(this.leaseMs), this.exchanges.length]) as unknown[];
    } catch (error) {
      if (this.held.size > 0) this.log.warn({ err: describeError(error), polling: this.polling() }, 'cannot renew leases: Redis does not answer');
      return this.leaseMs / 3;
    }
    let nextMs = this.leaseMs / 3;
    if (this.stopped) return nextMs;
    this.exchanges.forEach((exchange, i) => {
      const value = String(reply[2 * i] ?? '');
      const remainingMs = Number(reply[2 * i + 1]);
      // A lease not renewed (its poller died) runs out before the next round: be there when it does.
      if (value !== '' && holderOf(value) !== this.replicaId && remainingMs >= 0) nextMs = Math.min(nextMs, remainingMs + 5);
      this.holders.set(exchange, value);
      const mine = value !== '' && holderOf(value) === this.replicaId;
      const had = this.held.get(exchange);
      if (mine && had !== value) {
        this.held.set(exchange, value);
        this.log.info({ exchange, lease: value }, 'elected poller of exchange');
        this.events.elected(exchange);
      } else if (!mine && had !== undefined) {
        this.drop(exchange, value === '' ? 'gave the lease up to balance load' : `${holderOf(value)} holds the lease`);
      }
    });
    // Renewed leases last leaseMs from before this round was sent; stop polling a little before.
    clearTimeout(this.expiry);
    if (this.held.size > 0) {
      this.expiry = setTimeout(() => {
        for (const exchange of [...this.held.keys()]) this.drop(exchange, 'lease not renewed in time: Redis did not answer');
      }, Math.max(0, started + this.leaseMs * 0.9 - Date.now()));
    }
    return nextMs;
  }

  private drop(exchange: string, why: string): void {
    if (!this.held.delete(exchange)) return;
    this.log.warn({ exchange, why }, 'stopped polling exchange');
    this.events.demoted(exchange, why);
  }

  /** Stops polling everything and hands the leases back, so another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.expiry);
    await this.round;
    const leases = this.exchanges.map((e) => this.keys.lease(e));
    for (const exchange of [...this.held.keys()]) this.drop(exchange, 'shutting down');
    try {
      await this.link.script('liRelease', [this.keys.replicas, ...leases], [this.replicaId]);
    } catch (error) {
      this.log.warn({ err: describeError(error) }, 'could not hand the leases back; they expire after lease_seconds');
    }
  }
}
