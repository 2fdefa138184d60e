import { ExchangeStatus } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { RedisKeys } from '../../adapters/redis/redis-keys.js';
import type { RedisLink } from '../../adapters/redis/redis-link.js';

/**
 * Each exchange's status as its poller last reported it, shared through Redis, so GetStatus on
 * any replica tells when the exchange last loaded, what failed and who polls it. Best effort: a
 * replica that cannot reach Redis keeps the last statuses it read (and says so in store status).
 */
export class StatusBoard {
  private readonly latest = new Map<string, ExchangeStatus>();
  private revision = 0;

  constructor(private readonly link: RedisLink, private readonly keys: RedisKeys) {}

  async publish(status: ExchangeStatus): Promise<void> {
    await this.link.track(() => this.link.client.hset(this.keys.status, status.ccxtExchange, Buffer.from(ExchangeStatus.encode(status).finish())));
  }

  async read(): Promise<void> {
    const [all, revision] = await this.link.track(() => Promise.all([
      this.link.client.hgetallBuffer(this.keys.status),
      this.link.client.get(this.keys.revision),
    ]));
    for (const [exchange, bytes] of Object.entries(all)) this.latest.set(exchange, ExchangeStatus.decode(bytes));
    this.revision = Number(revision ?? 0);
  }

  /** The poller's last report on `exchange`, if any. */
  get(exchange: string): ExchangeStatus | undefined {
    return this.latest.get(exchange);
  }

  /** The shared revision as last read. */
  get sharedRevision(): number {
    return this.revision;
  }
}
