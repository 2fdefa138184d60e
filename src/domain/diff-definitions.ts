import { InstrumentStatus, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, RemovalReason, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import { protoFieldName } from './proto-field-name.js';

// What counts as a change: any field of the definition except last_updated, which records when
// the definition last changed and so follows from the diff rather than feeding it, and stale,
// which says where the service got it from after a restart. CCXT's `info` blob is not part of a
// definition, so exchange noise that maps to no field is no change.
const NOT_COMPARED = new Set<keyof InstrumentDefinition>(['lastUpdated', 'stale']);

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return JSON.stringify(a) === JSON.stringify(b);
  return false;
}

/** Proto field names (snake_case) whose values differ, in field order; empty when equal. */
export function changedFields(before: InstrumentDefinition, after: InstrumentDefinition): string[] {
  const names = new Set([...Object.keys(before), ...Object.keys(after)]) as Set<keyof InstrumentDefinition>;
  const changed: string[] = [];
  for (const name of names) {
    if (NOT_COMPARED.has(name)) continue;
    if (!sameValue(before[name], after[name])) changed.push(protoFieldName(name));
  }
  return changed;
}

/** The last definition of an instrument that left the exchange's list: expired or delisted. */
export function removedDefinition(previous: InstrumentDefinition, now: Date): { definition: InstrumentDefinition; reason: RemovalReason } {
  const expired = previous.expiry !== undefined && previous.expiry.getTime() <= now.getTime();
  return {
    reason: expired ? RemovalReason.REMOVAL_REASON_EXPIRED : RemovalReason.REMOVAL_REASON_DELISTED,
    definition: {
      ...previous,
      active: false,
      isLive: false,
      status: expired ? InstrumentStatus.INSTRUMENT_STATUS_EXPIRED : InstrumentStatus.INSTRUMENT_STATUS_DELISTED,
      availableToDatetime: expired ? previous.expiry : now,
      lastUpdated: now,
    },
  };
}

/**
 * The change from `before` to `after` of one key (either may be absent), or undefined when
 * nothing compared differs.
 */
export function diffOne(key: string, before: InstrumentDefinition | undefined, after: InstrumentDefinition | undefined, now: Date): InstrumentChange | undefined {
  if (before === undefined && after === undefined) return undefined;
  if (before === undefined) {
    return { changeType: ChangeType.CHANGE_TYPE_ADDED, instrumentKey: key, instrument: after, previous: undefined, changedFields: [], removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED };
  }
  if (after === undefined) {
    const removed = removedDefinition(before, now);
    return { changeType: ChangeType.CHANGE_TYPE_REMOVED, instrumentKey: key, instrument: removed.definition, previous: before, changedFields: [], removalReason: removed.reason };
  }
  if (before === after) return undefined;
  const fields = changedFields(before, after);
  if (fields.length === 0) return undefined;
  return { changeType: ChangeType.CHANGE_TYPE_UPDATED, instrumentKey: key, instrument: after, previous: before, changedFields: fields, removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED };
}
