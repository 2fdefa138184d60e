import { InstrumentStatus, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';

/**
 * The clock's part of an instrument's status: a dated contract (future, option, combo: anything
 * with an `expiry`) is EXPIRED and inactive from its expiry on, whatever the exchange's list
 * still says. Pure and deterministic given `now`, so a load, a timer tick and a restart all agree
 * and re-applying it never makes another change.
 */
export function isExpiredAt(definition: InstrumentDefinition, now: Date): boolean {
  return definition.expiry !== undefined && definition.expiry.getTime() <= now.getTime();
}

/** Whether the clock rule has already been applied (or the exchange said so itself). */
function showsExpired(definition: InstrumentDefinition): boolean {
  return definition.status === InstrumentStatus.INSTRUMENT_STATUS_EXPIRED && !definition.active;
}

/**
 * `definition` as it stands at `now`: the same object when the clock changes nothing (so callers
 * can compare by identity), else a copy with only `status` and `active` changed, and
 * `last_updated` moved to the expiry when that is later (the moment the status changed).
 */
export function statusAt(definition: InstrumentDefinition, now: Date): InstrumentDefinition {
  if (!isExpiredAt(definition, now) || showsExpired(definition)) return definition;
  const expiry = definition.expiry as Date;
  const lastUpdated = definition.lastUpdated === undefined || definition.lastUpdated < expiry ? expiry : definition.lastUpdated;
  return { ...definition, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false, lastUpdated };
}

/**
 * The earliest expiry among `definitions` the clock rule has not applied yet (ms since the epoch),
 * or undefined when none is pending. One already past counts: it is due at once.
 */
export function nextExpiry(definitions: Iterable<InstrumentDefinition>): number | undefined {
  let next: number | undefined;
  for (const d of definitions) {
    if (d.expiry === undefined || showsExpired(d)) continue;
    const at = d.expiry.getTime();
    if (next === undefined || at < next) next = at;
  }
  return next;
}
