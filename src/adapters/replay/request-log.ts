/** One request the replay server answered; tests use the log to see what ccxt fetched. */
export interface RequestLogEntry {
  readonly method: string;
  /** Mount prefix the request came in on; null for the unprefixed (global) path. */
  readonly prefix: string | null;
  /** Decoded original URL; null when the path held no recognisable target. */
  readonly url: string | null;
  readonly status: number;
  /** Which answer was given, to debug "why did I get this body?". */
  readonly source: 'override' | 'set' | 'global' | 'error';
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

  /** All requests, or only those for one original URL (any prefix). */
  count(url?: string): number {
    if (url === undefined) return this.entries.length;
    return this.entries.filter((entry) => entry.url === url).length;
  }

  clear(): void {
    this.entries.length = 0;
  }
}
