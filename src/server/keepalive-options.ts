import type { ChannelOptions } from '@grpc/grpc-js';
import type { KeepaliveConfig } from '../app/config.js';

/**
 * Keepalive for long-lived WatchChanges streams, set deliberately:
 * - the server pings a connection idle for `timeSeconds` and closes it when no answer comes
 *   within `timeoutSeconds`, so a watcher whose host vanished (no FIN, no RST) frees its stream
 *   and its queue instead of holding them until TCP gives up (minutes to hours);
 * - no max connection age: it would cut every watch periodically; connections move between
 *   replicas when they reconnect, which a shutdown forces with UNAVAILABLE;
 * - grpc-js servers enforce no client ping policy (no too_many_pings GOAWAY), so clients may set
 *   their own keepalive as they need; 30 s or more is polite.
 */
export function keepaliveOptions(keepalive: KeepaliveConfig): ChannelOptions {
  return {
    'grpc.keepalive_time_ms': keepalive.timeSeconds * 1000,
    'grpc.keepalive_timeout_ms': keepalive.timeoutSeconds * 1000,
  };
}
