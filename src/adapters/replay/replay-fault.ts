import { normalizePrefix } from './request-target.js';

/**
 * A misbehaviour the replay exchange can be told to show for a URL, the ways real exchanges fail.
 * Kinds that need the recording (`reset`, `malformed-json`, `truncated-list`, `trickle`) start from
 * the bytes the URL would be answered with otherwise (its recording or override).
 */
export type ReplayFault =
  /** An error answer: 429/418 with Retry-After, 403, 5xx… Body defaults to a short text line. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly headers?: Readonly<Record<string, string>>;
      readonly body?: string | Buffer;
      /** Defaults to `application/json` when the body looks like JSON, else `text/plain`. */
      readonly contentType?: string;
    }
  /** Never answers; the socket stays open until the client gives up or the server closes. */
  | { readonly kind: 'hang' }
  /** Headers (full content-length) and the first `fraction` of the body, then a TCP reset. */
  | { readonly kind: 'reset'; readonly fraction?: number }
  /** The recorded body cut in half, status 200: not parseable JSON. */
  | { readonly kind: 'malformed-json' }
  /** An HTML error page with status 200 (a CDN or maintenance page in front of the API). */
  | { readonly kind: 'html'; readonly body?: string }
  /** Status 200 with an empty body. */
  | { readonly kind: 'empty' }
  /** The recording with all but the first `keep` share of its largest market collection removed. */
  | { readonly kind: 'truncated-list'; readonly keep?: number }
  /** The recording sent `chunkBytes` at a time every `intervalMs` (defaults 64 bytes / 100 ms). */
  | { readonly kind: 'trickle'; readonly chunkBytes?: number; readonly intervalMs?: number };

export type FaultKind = ReplayFault['kind'];

export interface FaultOptions {
  /** Only requests under this mount prefix; default every prefix (and the unprefixed path). */
  readonly prefix?: string;
  /** The next `times` requests, then the URL is answered normally again; default until cleared. */
  readonly times?: number;
}

interface Armed {
  /** Served in order, starting over after the last, until `limit` requests have had a fault. */
  readonly faults: readonly ReplayFault[];
  readonly limit: number;
  used: number;
}

/**
 * Which requests get a fault: per original URL, on every prefix or one, for the next N requests or
 * until cleared, or a script of faults served one per request. A prefix-specific fault wins over
 * one for every prefix. No HTTP here.
 */
export class FaultTable {
  private readonly all = new Map<string, Armed>();
  private readonly byPrefix = new Map<string, Map<string, Armed>>();

  /**
   * One fault (`times` requests, default until cleared), or a list served one per request in order,
   * starting over after the last, for `times` requests (default once through the list).
   */
  set(url: string, fault: ReplayFault | readonly ReplayFault[], options: FaultOptions = {}): void {
    const faults = Array.isArray(fault) ? fault : [fault as ReplayFault];
    if (faults.length === 0) throw new RangeError('replay: an empty list of faults');
    const times = options.times ?? (Array.isArray(fault) ? faults.length : Number.POSITIVE_INFINITY);
    if (!(times >= 1) || (Number.isFinite(times) && !Number.isInteger(times))) {
      throw new RangeError(`replay: fault times must be a whole number >= 1, got ${times}`);
    }
    this.tableFor(options.prefix, true).set(url, { faults, limit: times, used: 0 });
  }

  /** Removes the URL's fault (on one prefix, or the every-prefix one); true when there was one. */
  clear(url: string, prefix?: string): boolean {
    return this.tableFor(prefix, false)?.delete(url) ?? false;
  }

  clearAll(): void {
    this.all.clear();
    this.byPrefix.clear();
  }

  /** The fault for one request, using up one of its `times`; undefined = answer normally. */
  take(prefix: string | null, url: string): ReplayFault | undefined {
    const specific = prefix === null ? undefined : this.byPrefix.get(prefix);
    const table = specific?.has(url) === true ? specific : this.all;
    const armed = table.get(url);
    if (armed === undefined) return undefined;
    const fault = armed.faults[armed.used % armed.faults.length];
    armed.used += 1;
    if (armed.used >= armed.limit) table.delete(url);
    return fault;
  }

  private tableFor(prefix: string | undefined, create: true): Map<string, Armed>;
  private tableFor(prefix: string | undefined, create: false): Map<string, Armed> | undefined;
  private tableFor(prefix: string | undefined, create: boolean): Map<string, Armed> | undefined {
    if (prefix === undefined) return this.all;
    const key = normalizePrefix(prefix);
    let table = this.byPrefix.get(key);
    if (table === undefined && create) this.byPrefix.set(key, (table = new Map()));
    return table;
  }
}
