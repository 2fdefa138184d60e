import { join } from 'node:path';
import type { Logger } from 'pino';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType } from '../../gen/ts/instruments/v1/instrument_service.js';
import { DurableState } from '../adapters/state/durable-state.js';
import { writeSnapshot } from '../adapters/state/snapshot-file.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import type { InstrumentStore } from '../store/instrument-store.js';

// Instruments that left the live lists are kept in a snapshot of their own, beside the
// exchanges' (its name is not a CCXT id, and no journal batch names it).
const RETIRED = '_retired';

/** Retired instruments after the restored history: the snapshot, then removals and relistings. */
function retiredAfter(snapshot: readonly InstrumentDefinition[], history: readonly ChangeBatchEvent[]): InstrumentDefinition[] {
  const retired = new Map(snapshot.map((d) => [d.instrumentKey, d]));
  for (const change of history.flatMap((b) => b.changes)) {
    if (change.changeType === ChangeType.CHANGE_TYPE_REMOVED && change.instrument) retired.set(change.instrumentKey, change.instrument);
    if (change.changeType === ChangeType.CHANGE_TYPE_ADDED) retired.delete(change.instrumentKey);
  }
  return [...retired.values()];
}

/**
 * Restores the store from `dataDir` (served at once, marked stale) and persists every batch
 * before it is published. Returns the per-exchange counts restored, and a close function.
 */
export function attachDurableState(dataDir: string, store: InstrumentStore, limits: { maxBatches: number; maxChanges: number }, log: Logger): { restoredCounts: Map<string, number>; close(): void } {
  const started = Date.now();
  const { state, restored } = DurableState.open(dataDir, limits);
  for (const problem of restored.problems) log.warn({ dataDir, problem }, 'durable state: skipped damaged data');
  const retiredSnapshot = restored.sources.get(RETIRED) ?? [];
  restored.sources.delete(RETIRED);
  store.restore({ ...restored, retired: retiredAfter(retiredSnapshot, restored.history) });
  const restoredCounts = new Map([...restored.sources].map(([id, defs]) => [id, defs.length]));
  log.info({ dataDir, revision: restored.revision, instruments: [...restoredCounts.values()].reduce((a, b) => a + b, 0), resumableFrom: restored.oldestResumable, ms: Date.now() - started }, 'restored last-known-good state');

  const snapshots = join(dataDir, 'snapshots');
  store.persist = (batch, source) => {
    // A failed write is logged and serving goes on: availability over durability, and the
    // journal keeps what a failed snapshot lacks (see DurableState.persist).
    try {
      state.persist(batch, source);
      if (batch.changes.some((c) => c.changeType !== ChangeType.CHANGE_TYPE_UPDATED)) {
        writeSnapshot(snapshots, RETIRED, batch.revision, store.retiredDefinitions());
      }
    } catch (error) {
      log.error({ dataDir, revision: batch.revision, error: error instanceof Error ? error.message : String(error) }, 'durable state: could not persist a batch');
    }
  };
  return { restoredCounts, close: () => state.close() };
}
