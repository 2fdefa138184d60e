import type { TestRedis } from '../../support/redis-server.js';

/** One keyspace notification: `event` is the command that touched `key` (set, del, expired, zadd…). */
export interface KeyEvent {
  key: string;
  event: string;
}

export interface KeyEvents {
  /** Every notification so far, in the order Redis ran the commands. */
  readonly seen: KeyEvent[];
  close(): void;
}

const CHANNEL = '__keyspace@0__:';

/**
 * Redis's own account of what happened to `keys`, in the order it ran the commands (keyspace
 * notifications, pushed on one connection in execution order). A Lua script runs atomically, so
 * its commands' events are contiguous: an ELECT round starts with its heartbeat's `zadd` on the
 * replicas key. This tells a lease handed back (`del`) from one that ran out (`expired`), and
 * which election round took it, with no clock involved.
 */
export async function watchKeys(redis: TestRedis, keys: readonly string[]): Promise<KeyEvents> {
  const admin = redis.client();
  // K: keyspace channel; g: del, expire…; $: set; z: zadd…; x: expired. Set again by every call:
  // a restarted redis-server forgets it.
  await admin.config('SET', 'notify-keyspace-events', 'Kg$zx');
  admin.disconnect();
  const seen: KeyEvent[] = [];
  const subscriber = redis.client();
  subscriber.on('message', (channel: string, event: string) => seen.push({ key: channel.slice(CHANNEL.length), event }));
  await subscriber.subscribe(...keys.map((key) => CHANNEL + key));
  return { seen, close: () => subscriber.disconnect() };
}

/**
 * Whether `lease` was handed back and taken in the first election round after: its events show a
 * `del`, then the next round's `zadd` on `replicas`, then a `set` of the lease before any other
 * round's `zadd`, and no `expired` before that `set`. Returns what is missing, or '' when so.
 */
export function takenInTheNextRound(seen: readonly KeyEvent[], lease: string, replicas: string): string {
  const released = seen.findIndex((e) => e.key === lease && e.event === 'del');
  if (released < 0) return `no del of ${lease} (not handed back): ${JSON.stringify(seen)}`;
  const after = seen.slice(released + 1);
  const taken = after.findIndex((e) => e.key === lease && e.event === 'set');
  if (taken < 0) return `no set of ${lease} after its del: ${JSON.stringify(seen)}`;
  const expired = seen.slice(0, released + 1 + taken).filter((e) => e.key === lease && e.event === 'expired');
  if (expired.length > 0) return `${lease} expired before it was taken: ${JSON.stringify(seen)}`;
  const rounds = after.slice(0, taken).filter((e) => e.key === replicas && e.event === 'zadd').length;
  if (rounds !== 1) return `${lease} taken in election round ${rounds} after its del, not the first: ${JSON.stringify(seen)}`;
  return '';
}
