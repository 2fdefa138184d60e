import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import { removeLeftoverTemps } from './atomic-write.js';
import { ChangeJournal, type JournalLimits } from './change-journal.js';
import { replaySources, resumableHistory } from './recover-state.js';
import { readSnapshots, writeSnapshot } from './snapshot-file.js';

export interface RestoredState {
  /** The last revision known: the highest in the journal or any snapshot; 0 when nothing is. */
  revision: number;
  /** Per exchange: its snapshot with the journal batches after it replayed. */
  sources: Map<string, InstrumentDefinition[]>;
  /** Journal batches a watcher can resume through, oldest first, gapless, bounded by the limits. */
  history: ChangeBatchEvent[];
  /** A resume from a revision below this gets OUT_OF_RANGE. */
  oldestResumable: number;
  /** Files and records skipped or cut, for the log. */
  problems: string[];
}

/**
 * What the service knew, on disk in `dataDir`: `snapshots/<ccxtId>.snap` per exchange (its
 * current definitions, replaced atomically) and `journal/` (every applied batch, bounded like
 * the in-memory history). A restart reads both back, answers from them and continues their
 * revisions; a watcher resumes across it while its revision is still in the journal.
 */
export class DurableState {
  /** Exchanges whose snapshot write failed, with the oldest batch the snapshot lacks. */
  private readonly unsnapshotted = new Map<string, number>();

  private constructor(
    private readonly snapshotDir: string,
    private readonly journal: ChangeJournal,
  ) {}

  static open(dataDir: string, limits: JournalLimits): { state: DurableState; restored: RestoredState } {
    const snapshotDir = join(dataDir, 'snapshots');
    mkdirSync(snapshotDir, { recursive: true });
    removeLeftoverTemps(snapshotDir);
    const { snapshots, problems: snapshotProblems } = readSnapshots(snapshotDir);
    const { journal, batches, problems: journalProblems } = ChangeJournal.open(join(dataDir, 'journal'), limits);
    const { sources, replayedTo } = replaySources(snapshots, batches);
    // Snapshots catch up with the journal now, so that compaction never needs the batches they
    // lacked and a later restart does not depend on them.
    for (const [id, revision] of replayedTo) writeSnapshot(snapshotDir, id, revision, sources.get(id)?.values() ?? []);
    const revision = Math.max(0, batches.at(-1)?.revision ?? 0, ...snapshots.map((s) => s.revision));
    const { history, oldestResumable } = resumableHistory(batches, revision, limits);
    const restored: RestoredState = {
      revision,
      sources: new Map([...sources].map(([id, source]) => [id, [...source.values()]])),
      history,
      oldestResumable,
      problems: [...snapshotProblems, ...journalProblems],
    };
    return { state: new DurableState(snapshotDir, journal), restored };
  }

  /**
   * One applied batch and its exchange's definitions after it: the journal first (fsynced), then
   * the snapshot (atomic). Returns when both are durable. Throws when either fails: a failed
   * append leaves nothing of the batch on disk; after a failed snapshot the journal recovers the
   * batch and keeps it, whatever the limits, until a snapshot of that exchange succeeds.
   */
  persist(batch: ChangeBatchEvent, source: ReadonlyMap<string, InstrumentDefinition> | readonly InstrumentDefinition[]): void {
    const id = batch.ccxtExchange;
    this.journal.append(batch, Math.min(...this.unsnapshotted.values()));
    try {
      writeSnapshot(this.snapshotDir, id, batch.revision, isMap(source) ? source.values() : source);
      this.unsnapshotted.delete(id);
    } catch (error) {
      if (!this.unsnapshotted.has(id)) this.unsnapshotted.set(id, batch.revision);
      throw error;
    }
  }

  close(): void {
    this.journal.close();
  }
}

function isMap(source: ReadonlyMap<string, InstrumentDefinition> | readonly InstrumentDefinition[]): source is ReadonlyMap<string, InstrumentDefinition> {
  return !Array.isArray(source);
}
