import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Rpc } from '../support/service-harness.js';
import type { MirrorWatcher } from './mirror-watcher.js';
import type { SoakFilter } from './soak-filters.js';

export interface Listing {
  revision: number;
  /** instrument_key → InstrumentDefinition.toJSON, stringified. */
  byKey: Map<string, string>;
}

const json = (d: InstrumentDefinition): string => JSON.stringify(InstrumentDefinition.toJSON(d));

/**
 * Every instrument a filter matches, in the live view (what WatchChanges mirrors), read at one
 * revision. A page token carries only the last key served, not a revision (page-token.ts): each
 * page is read at the store's current revision. So the listing is one revision's only when every
 * page says the same revision; otherwise undefined (the store moved on while paging).
 */
export async function listAtOneRevision(rpc: Rpc, filter: SoakFilter): Promise<Listing | undefined> {
  const byKey = new Map<string, string>();
  let revision: number | undefined;
  let token = '';
  do {
    const page = await rpc.listInstruments({ filter: filter.filter, pageSize: 1000, pageToken: token, view: SourceView.SOURCE_VIEW_LIVE });
    if (revision !== undefined && page.revision !== revision) return undefined;
    revision = page.revision;
    for (const d of page.instruments) byKey.set(d.instrumentKey, json(d));
    token = page.nextPageToken;
  } while (token !== '');
  return { revision: revision ?? 0, byKey };
}

/** How a watcher's mirror differs from a listing, or undefined when it is the same set, field for field. */
export function mirrorDiff(watcher: MirrorWatcher, listing: Listing): string | undefined {
  const missing = [...listing.byKey.keys()].filter((k) => !watcher.mirror.has(k));
  const extra = [...watcher.mirror.keys()].filter((k) => !listing.byKey.has(k));
  const differ = [...watcher.mirror].filter(([k, d]) => listing.byKey.has(k) && listing.byKey.get(k) !== json(d)).map(([k]) => k);
  if (missing.length + extra.length + differ.length === 0) return undefined;
  const few = (keys: string[]): string => `${keys.length} ${JSON.stringify(keys.slice(0, 3))}`;
  return `watcher ${watcher.id} (${watcher.filter.name}) at ${watcher.revision} vs list at ${listing.revision}: missing ${few(missing)}, extra ${few(extra)}, different ${few(differ)}`;
}
