import type { FaultKind } from './replay-fault.js';

/** One request the replay server received (and answered, unless a `hang` fault); tests use the log to see what ccxt fetched. */
export interface RequestLogEntry {
  readonly method: string;
  /** Mount prefix the request came in on; null for the unprefixed (global) path. */
  readonly prefix: string | null;
  /** Decoded original URL; null when the path held no recognisable target. */
  readonly url: string | null;
  /** Status line sent; 0 when none was (a `hang` fault). */
  readonly status: number;
  /** Which answer was given, to debug "why did I get this body?". */
  readonly source: 'override' | 'set' | 'global' | 'error' | 'fault';
  /** The fault this request got, when it got one (`replay.fault()`). */
  readonly fault?: FaultKind;
  /** When the request arrived (ms since the epoch), so tests can measure the gaps between retries. */
  readonly at: number;
}

export class RequestLog {
  private readonly entries: RequestLogEntry[] = [];

  record(entry: RequestLogEntry): void {
    this.entries.push(entry);
  }

  /** A snapshot; later requests do not change the returned array. */
  list(): RequestLogEntry[] {
    return [...this.entries];
  }

  /** All requests, or only those for one original URL (any prefix), optionally since `sinceMs`. */
  count(url?: string, sinceMs = Number.NEGATIVE_INFINITY): number {
    return this.entries.filter((entry) => (url === undefined || entry.url === url) && entry.at >= sinceMs).length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
