import type { ChangeBatchEvent } from '../domain/change-batch.js';

export interface HistoryLimits {
  /** Most batches kept. */
  maxBatches: number;
  /** Most instrument changes kept across batches (first loads are large batches). */
  maxChanges: number;
}

/**
 * The recent change batches, for watchers resuming from a revision. Bounded: the oldest batches
 * are dropped first, and a resume from before the oldest kept one is refused (the caller
 * re-lists), as etcd's compaction and Kubernetes' 410 Gone do. The newest batch is always kept.
 */
export class ChangeHistory {
  private readonly batches: ChangeBatchEvent[] = [];
  private changeCount = 0;
  /** Revisions at or below this are no longer resumable from (0: nothing dropped yet). */
  private compactedThrough = 0;

  constructor(private readonly limits: HistoryLimits) {}

  append(batch: ChangeBatchEvent): void {
    this.batches.push(batch);
    this.changeCount += batch.changes.length;
    while (this.batches.length > 1 && (this.batches.length > this.limits.maxBatches || this.changeCount > this.limits.maxChanges)) {
      const dropped = this.batches.shift() as ChangeBatchEvent;
      this.changeCount -= dropped.changes.length;
      this.compactedThrough = dropped.revision;
    }
  }

  /** Takes over batches kept across a restart (oldest first) and where resuming stops. */
  restore(batches: readonly ChangeBatchEvent[], compactedThrough: number): void {
    this.batches.splice(0, this.batches.length, ...batches);
    this.changeCount = batches.reduce((n, b) => n + b.changes.length, 0);
    this.compactedThrough = compactedThrough;
  }

  /** The oldest revision a watcher can resume after. */
  get oldestResumable(): number {
    return this.compactedThrough;
  }

  /** Batches after `revision`, oldest first; undefined when some of them were already dropped. */
  since(revision: number): ChangeBatchEvent[] | undefined {
    if (revision < this.compactedThrough) return undefined;
    const first = this.batches.findIndex((b) => b.revision > revision);
    return first < 0 ? [] : this.batches.slice(first);
  }
}
