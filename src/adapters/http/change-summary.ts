import type { InstrumentChange } from '../../../gen/ts/instruments/v1/instrument_service.js';
import { kindOf, type ChangeBatchEvent, type ChangeKind } from '../../domain/change-batch.js';


export interface ChangeLine {
  key: string;
  type: ChangeKind;
  /** Proto field paths that changed (updates only). */
  fields: string[];
}

/** One change batch as the dashboard shows it: counts, and the first few changes. */
export interface ChangeSummary {
  revision: number;
  exchange: string;
  appliedAt: string;
  counts: Record<ChangeKind, number>;
  changes: ChangeLine[];
  /** Changes counted but not listed. */
  omitted: number;
}

export const DEFAULT_CHANGES_PER_BATCH = 25;

// Listings and delistings first: they are what an operator scans for, and one refresh can
// update hundreds of tick sizes that would otherwise push them out of the listed few.
const ORDER: readonly ChangeKind[] = ['added', 'removed', 'updated'];

function lineOf(change: InstrumentChange, type: ChangeKind): ChangeLine {
  return { key: change.instrumentKey, type, fields: type === 'updated' ? [...change.changedFields] : [] };
}

export function summarizeBatch(batch: ChangeBatchEvent, limit = DEFAULT_CHANGES_PER_BATCH): ChangeSummary {
  const byKind: Record<ChangeKind, InstrumentChange[]> = { added: [], updated: [], removed: [] };
  for (const change of batch.changes) {
    const kind = kindOf(change);
    if (kind !== undefined) byKind[kind].push(change);
  }
  const changes = ORDER.flatMap((kind) => byKind[kind].slice(0, limit).map((c) => lineOf(c, kind))).slice(0, limit);
  return {
    revision: batch.revision,
    exchange: batch.ccxtExchange,
    appliedAt: batch.appliedAt.toISOString(),
    counts: { added: byKind.added.length, updated: byKind.updated.length, removed: byKind.removed.length },
    changes,
    omitted: batch.changes.length - changes.length,
  };
}
