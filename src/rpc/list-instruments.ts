import { LRUCache } from 'lru-cache';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { ListInstrumentsRequest, ListInstrumentsResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { compileFilter, filterFingerprint } from '../domain/instrument-filter.js';
import { decodePageToken, encodePageToken } from '../domain/page-token.js';
import { invalidArgument } from '../domain/service-error.js';
import type { RpcContext } from './rpc-context.js';
import { sourceViewOf } from './source-view.js';

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

/** Index of the first key strictly after `after` in sorted keys. */
function firstAfter(keys: readonly string[], after: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Instruments held by cached pages, all pages together: about 25 MB of encoded definitions. */
const CACHED_INSTRUMENTS = 50_000;
/** About what one instrument costs encoded: a cache key of this many characters counts as one more. */
const KEY_CHARS_PER_UNIT = 500;

/**
 * What a page costs in the cache, in instruments. The key counts too: it holds the page token,
 * which the client chooses, and a forged megabyte-long token must not cost as little as one
 * instrument (50,000 of them would pin 50 GB).
 */
const pageCost = (page: ListInstrumentsResponse, key: string): number => page.instruments.length + 1 + Math.ceil(key.length / KEY_CHARS_PER_UNIT);

export function listInstruments(ctx: RpcContext) {
  // A page is fixed by its view (immutable) and its query, so it is computed once and then served
  // as the same response object, whose bytes the serializer keeps (encoded-service.ts). Pages of
  // replaced views are never asked for again and age out.
  const pages = new LRUCache<string, ListInstrumentsResponse>({ maxSize: CACHED_INSTRUMENTS, sizeCalculation: pageCost });
  return (request: ListInstrumentsRequest): ListInstrumentsResponse => {
    const size = request.pageSize;
    if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
      throw invalidArgument(`page_size ${size} is out of range: give 1 to ${MAX_PAGE_SIZE}, or 0 for the default of ${DEFAULT_PAGE_SIZE}`);
    }
    const pageSize = size === 0 ? DEFAULT_PAGE_SIZE : size;
    const kind = sourceViewOf(request.view);
    const matches = compileFilter(request.filter, ctx.exchanges.known());
    // A token is bound to its filter and view: pages of different reads never mix.
    const fingerprint = `${filterFingerprint(request.filter)}.${kind}`;
    const view = ctx.store.readView(kind);
    const cacheKey = `${view.id}|${fingerprint}|${pageSize}|${request.pageToken}`;
    const cached = pages.get(cacheKey);
    if (cached !== undefined) return cached;
    let i = request.pageToken === '' ? 0 : firstAfter(view.sortedKeys, decodePageToken(request.pageToken, fingerprint));
    const instruments: InstrumentDefinition[] = [];
    for (; i < view.sortedKeys.length && instruments.length < pageSize; i++) {
      const d = view.byKey.get(view.sortedKeys[i] as string) as InstrumentDefinition;
      if (matches(d)) instruments.push(d);
    }
    // Only promise another page when one exists, so the last page never comes back empty.
    let more = false;
    for (; i < view.sortedKeys.length && !more; i++) {
      more = matches(view.byKey.get(view.sortedKeys[i] as string) as InstrumentDefinition);
    }
    const last = instruments.at(-1);
    const nextPageToken = more && last !== undefined ? encodePageToken(last.instrumentKey, fingerprint) : '';
    const page = { instruments, nextPageToken, revision: view.revision };
    pages.set(cacheKey, page);
    return page;
  };
}
