import { InstrumentStatus, PrecisionMode, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { toPlainDecimal } from './decimal.js';

// Exchanges sometimes answer with an empty, truncated or corrupt market list. Applying one would
// remove or break instruments for every client at once, so a suspect refresh is held back until
// the next refresh says the same thing: a real mass delisting persists, a bad response rarely
// repeats identically.

export interface GuardPolicy {
  /** Largest fraction of the exchange's instruments one refresh may remove without a hold. */
  maxRemovalRatio: number;
}

export const DEFAULT_GUARD_POLICY: GuardPolicy = { maxRemovalRatio: 0.2 };

/** Why a whole refresh is suspect; a hold is confirmed only by a refresh suspect for the same kind. */
export type SuspectKind = 'duplicate-keys' | 'empty' | 'mass-removal';

export interface HeldRefresh {
  /** The distinct instrument keys of the held load. */
  keys: ReadonlySet<string>;
  kind: SuspectKind;
  reason: string;
  heldAt: Date;
}

export interface GuardInput {
  /** What this exchange currently provides (empty on the first load). */
  previous: ReadonlyMap<string, InstrumentDefinition>;
  /** The new load. */
  next: readonly InstrumentDefinition[];
  /** The refresh held last time, if any. */
  held: HeldRefresh | undefined;
  now: Date;
}

export interface RejectedMarket {
  instrumentKey: string;
  reason: string;
}

export interface ApplyVerdict {
  action: 'apply';
  /** What to apply: valid markets, plus the previous definition of each rejected known market. */
  definitions: InstrumentDefinition[];
  rejected: RejectedMarket[];
  /** The reason of the hold this refresh confirmed, when it did. */
  confirmedHold?: string;
}

export interface HoldVerdict {
  action: 'hold';
  held: HeldRefresh;
  rejected: RejectedMarket[];
}

export type GuardVerdict = ApplyVerdict | HoldVerdict;

/** Decides whether a load is applied (and with which definitions) or held back. */
export function guardRefresh(input: GuardInput, policy: GuardPolicy): GuardVerdict {
  const { maxRemovalRatio } = policy;
  if (!(maxRemovalRatio >= 0 && maxRemovalRatio <= 1)) throw new RangeError(`maxRemovalRatio must be in [0, 1], got ${maxRemovalRatio}`);
  const { previous, held, now } = input;
  const { keys, duplicates, definitions, rejected } = screenMarkets(input);

  const applied = new Set(definitions.map((d) => d.instrumentKey));
  const removed = [...previous.keys()].filter((key) => !applied.has(key)).length;
  const suspect = suspicion(duplicates, keys.size, removed, previous.size, maxRemovalRatio);
  if (suspect === undefined) return { action: 'apply', definitions, rejected };
  if (held !== undefined && held.kind === suspect.kind && sameKeys(held.keys, keys)) {
    return { action: 'apply', definitions, rejected, confirmedHold: held.reason };
  }
  return { action: 'hold', held: { keys, kind: suspect.kind, reason: suspect.reason, heldAt: now }, rejected };
}

/**
 * Per-market validation. Bad data in one market is not a delisting: a rejected market the exchange
 * provided before keeps its previous definition; a new one is left out. A key listed more than
 * once is ambiguous, so each of its copies is rejected alike.
 */
function screenMarkets({ previous, next }: GuardInput): {
  keys: Set<string>;
  duplicates: Array<[string, number]>;
  definitions: InstrumentDefinition[];
  rejected: RejectedMarket[];
} {
  const counts = new Map<string, number>();
  for (const d of next) counts.set(d.instrumentKey, (counts.get(d.instrumentKey) ?? 0) + 1);
  const definitions: InstrumentDefinition[] = [];
  const rejected: RejectedMarket[] = [];
  const keys = new Set<string>();
  for (const d of next) {
    const key = d.instrumentKey;
    if (keys.has(key)) continue;
    keys.add(key);
    const n = counts.get(key) ?? 1;
    const problems = n > 1 ? [`duplicate instrument_key (${n} times)`] : marketProblems(d);
    if (problems.length === 0) {
      definitions.push(d);
      continue;
    }
    rejected.push({ instrumentKey: key, reason: problems.join('; ') });
    const kept = previous.get(key);
    if (kept !== undefined) definitions.push(kept);
  }
  return { keys, duplicates: [...counts].filter(([, n]) => n > 1), definitions, rejected };
}

// A definition never changes once made, and an unchanged market arrives as the same object on
// every refresh (definition-handover.ts): check each object once.
const checked = new WeakMap<InstrumentDefinition, string[]>();

function marketProblems(d: InstrumentDefinition): string[] {
  let problems = checked.get(d);
  if (problems === undefined) checked.set(d, (problems = checkMarket(d)));
  return problems;
}

/** Problems that make one market's data unusable; only markets open for trading are checked. */
function checkMarket(d: InstrumentDefinition): string[] {
  // Pre-listing (INCOMPLETE) markets lack parameters by design; a halt must reach clients as is.
  if (d.status !== InstrumentStatus.INSTRUMENT_STATUS_TRADING) return [];
  const problems: string[] = [];
  const mode = d.pricePrecisionMode;
  if (mode === PrecisionMode.PRECISION_MODE_TICK_SIZE || mode === PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS) {
    const tick = positiveProblem('tick_size', d.tickSize);
    if (tick !== undefined) problems.push(tick);
    if (d.tickSizeSteps.some((step) => positiveProblem('tick_size', step.tickSize) !== undefined)) {
      problems.push('a missing or non-positive tick_size in tick_size_steps');
    }
  }
  if (mode === PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS && !(d.priceSignificantDigits > 0)) {
    problems.push('missing price_significant_digits on an active market');
  }
  // lot_size is empty when amounts are rounded by significant digits.
  if (d.lotSize !== '') {
    const lot = positiveProblem('lot_size', d.lotSize);
    if (lot !== undefined) problems.push(lot);
  }
  return problems;
}

function positiveProblem(field: string, value: string): string | undefined {
  if (value === '') return `missing ${field} on an active market`;
  const plain = toPlainDecimal(value);
  if (plain === undefined) return `${field} "${value}" is not a decimal`;
  if (plain === '0' || plain.startsWith('-')) return `non-positive ${field} "${value}"`;
  return undefined;
}

function suspicion(
  duplicates: ReadonlyArray<readonly [string, number]>,
  distinctKeys: number,
  removed: number,
  previous: number,
  maxRemovalRatio: number,
): { kind: SuspectKind; reason: string } | undefined {
  const [first, ...more] = duplicates;
  if (first !== undefined) {
    const others = more.length > 0 ? ` and ${more.length} more duplicated keys` : '';
    return { kind: 'duplicate-keys', reason: `duplicate instrument_key ${first[0]} (${first[1]} times)${others}` };
  }
  if (distinctKeys === 0 && previous > 0) return { kind: 'empty', reason: 'empty market list' };
  // The first load (nothing previous) removes nothing, so it is never held for removals.
  if (previous > 0 && removed / previous > maxRemovalRatio) {
    const share = removalPercent(removed / previous, maxRemovalRatio);
    const limit = `${Number((maxRemovalRatio * 100).toFixed(1))}%`;
    return { kind: 'mass-removal', reason: `would remove ${removed} of ${previous} instruments (${share}), more than ${limit} at once` };
  }
  return undefined;
}

/** "56%"; with one decimal ("20.1%") when the whole number would not show it is over the limit. */
function removalPercent(ratio: number, limit: number): string {
  const whole = Math.round(ratio * 100);
  return whole > limit * 100 ? `${whole}%` : `${(ratio * 100).toFixed(1)}%`;
}

function sameKeys(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  return a.size === b.size && [...a].every((key) => b.has(key));
}
