import { CANONICAL_DECIMAL, canonical } from '../../support/exact-decimal.js';
import type { OutputLine } from './run-sync.js';

/** The output fields checked against the raw response, by their proto3 JSON names. */
export const COMPARED_FIELDS = [
  'instrumentType',
  'tickSize',
  'tickSizeSteps',
  'pricePrecisionMode',
  'lotSize',
  'minSize',
  'maxSize',
  'minNotional',
  'maxNotional',
  'contractSize',
  'expiry',
  'strike',
  'optionType',
  'amountUnit',
  'contractSizeUnit',
] as const;
export type ComparedField = (typeof COMPARED_FIELDS)[number];

/** One expected output value and the raw value it was taken from (for the failure message). */
export interface Want {
  /** Expected output, normalised as `actualOf` normalises ours; undefined means "absent". */
  value: string | undefined;
  /** The raw source, e.g. `PRICE_FILTER.tickSize="0.10"`, or why the field must be absent. */
  raw: string;
}

export interface ExpectedInstrument {
  /**
   * Spot and derivative lists of one ccxt id may reuse a native id (binance "BTCUSDT" is both a
   * spot pair and a USD-M perpetual), so an instrument is keyed by segment and native id.
   */
  segment: 'spot' | 'derivative';
  rawSymbol: string;
  fields: Record<ComparedField, Want>;
}

// ---- builders for Want ---------------------------------------------------------------------

/** A decimal taken from the raw field `label`; an absent or empty raw value expects absence. */
export function decimal(label: string, rawText: string | undefined): Want {
  if (rawText === undefined) return { value: undefined, raw: `${label} absent/empty` };
  return { value: canonical(rawText), raw: `${label}=${JSON.stringify(rawText)}` };
}

/** A value derived from raw fields by a rule; `raw` describes the derivation. */
export function derived(value: string | undefined, raw: string): Want {
  return { value, raw };
}

export function absent(why: string): Want {
  return { value: undefined, raw: why };
}

/** A time in epoch milliseconds (raw text) as the RFC 3339 string we compare with. */
export function epochMs(label: string, rawText: string | undefined): Want {
  if (rawText === undefined) return { value: undefined, raw: `${label} absent/empty` };
  if (!/^\d+$/.test(rawText)) throw new Error(`${label}=${rawText} is not epoch milliseconds`);
  return { value: new Date(Number(rawText)).toISOString(), raw: `${label}=${rawText}` };
}

/** What min/max/lot size (amountUnit) or contract_size (contractSizeUnit) count, per the raw API. */
export function unit(u: 'BASE' | 'QUOTE' | 'CONTRACTS', raw: string): Want {
  return { value: `AMOUNT_UNIT_${u}`, raw };
}

export function instrumentType(type: 'SPOT' | 'PERPETUAL' | 'FUTURE' | 'OPTION' | 'COMBO', raw: string): Want {
  return { value: `INSTRUMENT_TYPE_${type}`, raw };
}

export interface RawStep {
  abovePrice: string;
  tickSize: string;
}

/** Price-dependent ticks, canonical and ascending by price (the proto's order). */
export function tickSteps(label: string, steps: RawStep[]): Want {
  if (steps.length === 0) return { value: undefined, raw: `${label}=[]` };
  const sorted = steps
    .map((s) => ({ abovePrice: canonical(s.abovePrice), tickSize: canonical(s.tickSize) }))
    .sort((a, b) => Number(a.abovePrice) - Number(b.abovePrice));
  return { value: JSON.stringify(sorted), raw: `${label}=${JSON.stringify(steps)}` };
}

/** STEPS when the exchange gives price-dependent ticks, otherwise one tick size if it gives one. */
export function priceMode(tick: Want, steps: Want): Want {
  if (steps.value !== undefined) return { value: 'PRECISION_MODE_TICK_SIZE_STEPS', raw: `${steps.raw}` };
  if (tick.value !== undefined) return { value: 'PRECISION_MODE_TICK_SIZE', raw: `one tick size (${tick.raw})` };
  return { value: undefined, raw: `no tick size (${tick.raw})` };
}

// ---- reading our output --------------------------------------------------------------------

/** Our value of `field`, normalised like Want.value; undefined when the key is absent. */
export function actualOf(line: OutputLine, field: ComparedField): string | undefined {
  const v = line[field];
  if (v === undefined || v === null) return undefined;
  if (field === 'tickSizeSteps') {
    if (!Array.isArray(v) || v.length === 0) return undefined;
    return JSON.stringify((v as Array<Record<string, unknown>>).map((s) => ({ abovePrice: s['abovePrice'], tickSize: s['tickSize'] })));
  }
  if (field === 'expiry') {
    const ms = Date.parse(String(v));
    return Number.isNaN(ms) ? `unparseable ${JSON.stringify(v)}` : new Date(ms).toISOString();
  }
  // Decimals are compared as we print them: the output must already be canonical.
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function segmentOf(line: OutputLine): 'spot' | 'derivative' {
  return line['instrumentType'] === 'INSTRUMENT_TYPE_SPOT' ? 'spot' : 'derivative';
}

const keyOf = (segment: string, rawSymbol: string): string => `${segment}:${rawSymbol}`;

export interface Comparison {
  /** Instruments present both in the raw response and in our output. */
  compared: number;
  /** Raw instruments with no output line. */
  missing: string[];
  /** Output lines with no raw instrument. */
  unexpected: string[];
  /** Native ids appearing twice in the raw response or the output. */
  duplicates: string[];
  /** One line per differing field: exchange, raw symbol, field, raw value, expected and ours. */
  mismatches: string[];
  /** Mismatch counts per field (for the summary). */
  perField: Partial<Record<ComparedField, number>>;
  /** How many compared instruments have a raw value (not an expected absence) per field. */
  present: Partial<Record<ComparedField, number>>;
}

/** Compares every raw instrument of one ccxt id with our output lines for that id. */
export function compare(exchange: string, expected: ExpectedInstrument[], lines: OutputLine[]): Comparison {
  const result: Comparison = { compared: 0, missing: [], unexpected: [], duplicates: [], mismatches: [], perField: {}, present: {} };
  const want = new Map<string, ExpectedInstrument>();
  for (const e of expected) {
    const key = keyOf(e.segment, e.rawSymbol);
    if (want.has(key)) result.duplicates.push(`${exchange} raw ${key}`);
    want.set(key, e);
  }
  const seen = new Set<string>();
  for (const line of lines) {
    const rawSymbol = String(line['exchangeRawSymbol'] ?? '');
    const key = keyOf(segmentOf(line), rawSymbol);
    if (seen.has(key)) result.duplicates.push(`${exchange} output ${key}`);
    seen.add(key);
    const e = want.get(key);
    if (e === undefined) {
      result.unexpected.push(`${exchange} ${key} (${String(line['instrumentKey'])})`);
      continue;
    }
    result.compared += 1;
    for (const field of COMPARED_FIELDS) {
      const w = e.fields[field];
      const ours = actualOf(line, field);
      if (w.value !== undefined) result.present[field] = (result.present[field] ?? 0) + 1;
      if (ours === w.value) continue;
      result.perField[field] = (result.perField[field] ?? 0) + 1;
      result.mismatches.push(
        `${exchange} ${rawSymbol} ${field}: raw ${w.raw} → expected ${w.value ?? '(absent)'}, ours ${ours ?? '(absent)'}`,
      );
    }
  }
  for (const key of want.keys()) if (!seen.has(key)) result.missing.push(`${exchange} ${key}`);
  return result;
}

/** Every decimal-valued field of InstrumentDefinition (proto/instruments/v1/instrument.proto). */
export const DECIMAL_FIELDS = [
  'tickSize',
  'minSize',
  'maxSize',
  'tradingFeesMaker',
  'tradingFeesTaker',
  'contractSize',
  'lotSize',
  'minNotional',
  'maxNotional',
  'strike',
  'minPrice',
  'maxPrice',
] as const;

/** Decimal fields of the output that are present but not canonical plain decimals. */
export function nonCanonicalDecimals(exchange: string, lines: OutputLine[]): string[] {
  const bad: string[] = [];
  const check = (symbol: string, field: string, v: unknown): void => {
    if (v === undefined) return;
    if (typeof v !== 'string' || !CANONICAL_DECIMAL.test(v)) bad.push(`${exchange} ${symbol} ${field}: ${JSON.stringify(v)}`);
  };
  for (const line of lines) {
    const symbol = String(line['exchangeRawSymbol'] ?? line['instrumentKey']);
    for (const field of DECIMAL_FIELDS) check(symbol, field, line[field]);
    const steps = line['tickSizeSteps'];
    if (steps !== undefined) {
      if (!Array.isArray(steps)) bad.push(`${exchange} ${symbol} tickSizeSteps: not a list`);
      else {
        steps.forEach((s: Record<string, unknown>, i) => {
          check(symbol, `tickSizeSteps[${i}].abovePrice`, s['abovePrice']);
          check(symbol, `tickSizeSteps[${i}].tickSize`, s['tickSize']);
        });
      }
    }
  }
  return bad;
}

/** A short summary for the console: counts, mismatches per field, raw values present per field. */
export function summary(c: Comparison): string {
  const fields = Object.entries(c.perField).map(([f, n]) => `${f}×${n}`).join(', ');
  const present = Object.entries(c.present).map(([f, n]) => `${f} ${n}`).join(', ');
  return `compared ${c.compared}, missing ${c.missing.length}, unexpected ${c.unexpected.length}, `
    + `mismatches ${c.mismatches.length}${fields ? ` (${fields})` : ''}; raw values present: ${present}`;
}
