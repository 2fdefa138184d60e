import type { HistoryLimits } from '../../store/change-history.js';

/**
 * Index of the first batch kept of a list, oldest first, given each batch's change count: the
 * newest batches that fit both limits, at least one — ChangeHistory's rule, so the journal keeps
 * on disk what the in-memory history keeps.
 */
export function windowStart(changeCounts: readonly number[], limits: HistoryLimits): number {
  let changes = 0;
  for (let i = changeCounts.length - 1; i >= 0; i--) {
    const kept = changeCounts.length - i;
    changes += changeCounts[i] as number;
    if (kept > 1 && (kept > limits.maxBatches || changes > limits.maxChanges)) return i + 1;
  }
  return 0;
}
