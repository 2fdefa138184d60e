import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, type InstrumentChange } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import type { HistoryLimits } from '../../store/change-history.js';
import { windowStart } from './history-window.js';
import type { Snapshot } from './snapshot-file.js';

export interface ReplayedSources {
  sources: Map<string, Map<string, InstrumentDefinition>>;
  /** Exchanges whose snapshot lagged the journal, with the revision replay brought them to. */
  replayedTo: Map<string, number>;
}

/**
 * Each exchange's definitions: its snapshot (revision S, or empty without one), then its journal
 * batches after S in order. The journal is written before the snapshot, so this recovers a crash
 * between the two. A batch lists changes to the merged view, so it shows an exchange's own
 * definition only where that exchange wins the key; see applyChange.
 */
export function replaySources(snapshots: readonly Snapshot[], batches: readonly ChangeBatchEvent[]): ReplayedSources {
  const sources = new Map<string, Map<string, InstrumentDefinition>>();
  const snapshotRevision = new Map<string, number>();
  for (const s of snapshots) {
    sources.set(s.ccxtExchange, new Map(s.definitions.map((d) => [d.instrumentKey, d])));
    snapshotRevision.set(s.ccxtExchange, s.revision);
  }
  const replayedTo = new Map<string, number>();
  for (const batch of batches) {
    const id = batch.ccxtExchange;
    if (batch.revision <= (snapshotRevision.get(id) ?? 0)) continue;
    let source = sources.get(id);
    if (source === undefined) sources.set(id, (source = new Map()));
    for (const change of batch.changes) applyChange(source, id, change);
    replayedTo.set(id, batch.revision);
  }
  return { sources, replayedTo };
}

function applyChange(source: Map<string, InstrumentDefinition>, id: string, change: InstrumentChange): void {
  switch (change.changeType) {
    case ChangeType.CHANGE_TYPE_ADDED:
    case ChangeType.CHANGE_TYPE_UPDATED:
      if (change.instrument?.ccxtExchange === id) source.set(change.instrumentKey, change.instrument);
      // Another exchange's definition replaced this one's in this exchange's own refresh: ranks
      // are fixed per exchange and key, so this exchange dropped the key.
      else if (change.previous?.ccxtExchange === id) source.delete(change.instrumentKey);
      return;
    case ChangeType.CHANGE_TYPE_REMOVED:
      source.delete(change.instrumentKey);
      return;
    default:
      return;
  }
}

export interface ResumableHistory {
  history: ChangeBatchEvent[];
  oldestResumable: number;
}

/**
 * The batches a watcher can resume through: the gapless run of journal batches ending at
 * `revision`, cut to the limits as ChangeHistory cuts. A resume must get every batch after its
 * revision, so nothing before a gap counts, and when the journal ends before `revision` (its tail
 * lost while snapshots moved on) nothing does: only resumes from `revision` itself are served.
 */
export function resumableHistory(batches: readonly ChangeBatchEvent[], revision: number, limits: HistoryLimits): ResumableHistory {
  let start = batches.length;
  if (batches.at(-1)?.revision === revision) {
    start--;
    while (start > 0 && (batches[start - 1] as ChangeBatchEvent).revision === (batches[start] as ChangeBatchEvent).revision - 1) start--;
  }
  const run = batches.slice(start);
  const history = run.slice(windowStart(run.map((b) => b.changes.length), limits));
  return { history, oldestResumable: history.length > 0 ? (history[0] as ChangeBatchEvent).revision - 1 : revision };
}
