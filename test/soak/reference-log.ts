import { ChangeType, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { MirrorWatcher } from './mirror-watcher.js';
import type { Problems } from './problems.js';
import type { SoakFilter } from './soak-filters.js';

/**
 * Every batch after some revision, as one watcher of everything that never disconnects saw them
 * (its own continuity is checked like any watcher's). Filtered watchers skip batches that do not
 * concern them, so their revisions have gaps; this log is what tells a legitimate gap from a lost
 * batch, and which keys were ever added or removed (a lookup of such a key may miss).
 */
export class ReferenceLog {
  private readonly batches = new Map<number, readonly InstrumentChange[]>();
  /** Keys some batch added or removed. */
  readonly volatileKeys = new Set<string>();
  /** Revisions at or below this were not logged (before the reference watcher's snapshot). */
  from = Number.POSITIVE_INFINITY;
  lastRevision = 0;

  record(revision: number, changes: readonly InstrumentChange[]): void {
    this.batches.set(revision, changes);
    this.lastRevision = revision;
    // The reference starts after every exchange's first load, so each ADDED or REMOVED key here
    // is one a refresh added or took away.
    for (const c of changes) if (c.changeType !== ChangeType.CHANGE_TYPE_UPDATED) this.volatileKeys.add(c.instrumentKey);
  }

  /** How many changes of batch `revision` concern a filter; -1 when the log does not have it. */
  private concerning(filter: SoakFilter, revision: number): number {
    const changes = this.batches.get(revision);
    if (changes === undefined) return -1;
    return changes.filter((c) => (c.instrument !== undefined && filter.matches(c.instrument)) || (c.previous !== undefined && filter.matches(c.previous))).length;
  }

  /** Checks every step a watcher took against the log: no batch that concerned it was skipped. */
  verify(watcher: MirrorWatcher, problems: Problems): number {
    let checked = 0;
    for (const step of watcher.steps) {
      const last = step.kind === 'batch' ? step.to - 1 : step.to;
      for (let r = Math.max(step.from + 1, this.from + 1); r <= last; r++) {
        const n = this.concerning(watcher.filter, r);
        if (n === -1) problems.add(`reference log has no batch ${r}`);
        else if (n > 0) problems.add(`watcher ${watcher.id} (${watcher.filter.name}): skipped batch ${r} (${n} matching changes) in a ${step.kind} step ${step.from} → ${step.to}`);
        checked++;
      }
      if (step.kind === 'batch' && step.to > this.from) {
        const n = this.concerning(watcher.filter, step.to);
        if (n !== step.changes) problems.add(`watcher ${watcher.id} (${watcher.filter.name}): batch ${step.to} had ${step.changes} changes, ${n} of the batch concern it`);
        checked++;
      }
    }
    return checked;
  }
}
