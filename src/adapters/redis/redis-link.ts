import { Redis, ReplyError } from 'ioredis';
import { describeError } from '../../domain/describe-error.js';

/** How this replica stands with Redis: GetStatus's store part and the "stale" signal. */
export interface LinkHealth {
  connected: boolean;
  lastContact: Date | undefined;
  lastError: string;
}

type ScriptFn = (...args: (string | number | Buffer)[]) => Promise<unknown>;

/** The URL as it may be logged: a password in it is replaced by `***`. */
export function displayUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*)@/, (_all, scheme: string, auth: string) => `${scheme}${auth.includes(':') ? `${auth.split(':')[0] ?? ''}:***` : '***'}@`);
}

/**
 * Two connections to Redis: one for commands, one for the blocking stream reads (a blocked
 * connection answers nothing else). Calls fail at once while Redis is away instead of queueing
 * (enableOfflineQueue off): a replica must see that it is cut off, keep serving, and apply nothing.
 * ioredis reconnects by itself.
 */
export class RedisLink {
  readonly health: LinkHealth = { connected: false, lastContact: undefined, lastError: '' };
  private readonly scripts = new Map<string, ScriptFn>();

  private constructor(readonly client: Redis, readonly reader: Redis) {
    for (const connection of [client, reader]) {
      connection.on('ready', () => this.contact());
      connection.on('error', (error: unknown) => this.failed(error));
      connection.on('close', () => {
        this.health.connected = false;
      });
    }
  }

  static async connect(url: string, { commandTimeoutMs, readBlockMs }: { commandTimeoutMs: number; readBlockMs: number }): Promise<RedisLink> {
    const options = {
      lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: commandTimeoutMs,
      retryStrategy: (times: number) => Math.min(100 * times, 1000),
    };
    const link = new RedisLink(
      new Redis(url, { ...options, commandTimeout: commandTimeoutMs }),
      new Redis(url, { ...options, commandTimeout: readBlockMs + commandTimeoutMs }),
    );
    try {
      await Promise.all([link.client.connect(), link.reader.connect()]);
    } catch (error) {
      link.close();
      // ioredis rejects with "Connection is closed"; the socket's own error says why.
      throw new Error(`cannot reach Redis at ${displayUrl(url)}: ${link.health.lastError || describeError(error)}`);
    }
    return link;
  }

  /** Registers a Lua script under `name` (EVALSHA, loaded on first use). */
  define(name: string, lua: string): void {
    this.client.defineCommand(name, { lua });
    this.scripts.set(name, (this.client as unknown as Record<string, ScriptFn>)[`${name}Buffer`] as ScriptFn);
  }

  /** Runs a registered script: number of keys, keys, then arguments. Replies come as Buffers. */
  script(name: string, keys: readonly string[], args: readonly (string | number | Buffer)[]): Promise<unknown> {
    const fn = this.scripts.get(name);
    if (fn === undefined) throw new Error(`Redis script ${name} is not defined`);
    return this.track(() => fn.call(this.client, keys.length, ...keys, ...args));
  }

  /** Runs a call, recording whether Redis answered. */
  async track<T>(call: () => Promise<T>): Promise<T> {
    try {
      const result = await call();
      this.contact();
      return result;
    } catch (error) {
      this.failed(error);
      throw error;
    }
  }

  private contact(): void {
    Object.assign(this.health, { connected: true, lastContact: new Date(), lastError: '' });
  }

  /** An error reply is Redis answering; anything else (timeout, closed connection) is Redis away. */
  private failed(error: unknown): void {
    const answered = error instanceof (ReplyError as new () => Error);
    Object.assign(this.health, { connected: answered, lastError: describeError(error) }, answered ? { lastContact: new Date() } : {});
  }

  close(): void {
    this.client.disconnect();
    this.reader.disconnect();
  }
}
