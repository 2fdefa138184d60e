import { ChangeType, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';

/**
 * The changes one applied refresh made to the store, under one revision. Revisions increase by
 * one per batch; a refresh that changes nothing visible makes no batch and no revision.
 */
export interface ChangeBatchEvent {
  revision: number;
  appliedAt: Date;
  /** CCXT exchange whose refresh produced the batch. */
  ccxtExchange: string;
  changes: InstrumentChange[];
}

/** A change's kind as logs, metrics and the dashboard name it. */
export type ChangeKind = 'added' | 'updated' | 'removed';

export const CHANGE_KINDS: readonly ChangeKind[] = ['added', 'updated', 'removed'];

const KIND_OF: Partial<Record<ChangeType, ChangeKind>> = {
  [ChangeType.CHANGE_TYPE_ADDED]: 'added',
  [ChangeType.CHANGE_TYPE_UPDATED]: 'updated',
  [ChangeType.CHANGE_TYPE_REMOVED]: 'removed',
};

export const kindOf = (change: InstrumentChange): ChangeKind | undefined => KIND_OF[change.changeType];

export function countByKind(changes: readonly InstrumentChange[]): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { added: 0, updated: 0, removed: 0 };
  for (const change of changes) {
    const kind = kindOf(change);
    if (kind !== undefined) counts[kind] += 1;
  }
  return counts;
}
