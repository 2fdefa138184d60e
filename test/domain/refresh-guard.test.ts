import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InstrumentStatus,
  PrecisionMode,
  type InstrumentDefinition,
} from '../../gen/ts/instruments/v1/instrument.js';
import { createExchange } from '../../src/adapters/ccxt/create-exchange.js';
import { loadDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import {
  DEFAULT_GUARD_POLICY,
  guardRefresh,
  type GuardInput,
  type GuardVerdict,
  type HeldRefresh,
} from '../../src/domain/refresh-guard.js';
import { perpetual } from '../support/definitions.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../support/fixtures.js';

const now = new Date('2026-01-01T00:00:00Z');
const later = new Date('2026-01-01T00:05:00Z');
const byKey = (definitions: readonly InstrumentDefinition[]) => new Map(definitions.map((d) => [d.instrumentKey, d]));
const guard = (input: Partial<GuardInput>): GuardVerdict =>
  guardRefresh({ previous: new Map(), next: [], held: undefined, now, ...input }, DEFAULT_GUARD_POLICY);
const heldOf = (verdict: GuardVerdict): HeldRefresh => {
  if (verdict.action !== 'hold') throw new Error(`expected a hold, got ${JSON.stringify(verdict)}`);
  return verdict.held;
};

/** A trading perpetual with a one-tick price rule, as the converter makes them. */
const market = (symbol: string, overrides: Partial<InstrumentDefinition> = {}) =>
  perpetual(symbol, { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE, amountPrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE, ...overrides });
const coins = (n: number) => Array.from({ length: n }, (_, i) => market(`C${i}`));
const ten = coins(10);

describe('guardRefresh: per-market validation', () => {
  const significant = { pricePrecisionMode: PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS, tickSize: '' };
  const steps = { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS, tickSizeSteps: [{ abovePrice: '0.005', tickSize: '0.0005' }] };
  it.each<[string, Partial<InstrumentDefinition>, string]>([
    ['zero tick_size', { tickSize: '0' }, 'non-positive tick_size "0"'],
    ['negative tick_size', { tickSize: '-0.1' }, 'non-positive tick_size "-0.1"'],
    ['no tick_size', { tickSize: '' }, 'missing tick_size on an active market'],
    ['no tick_size below the steps', { ...steps, tickSize: '' }, 'missing tick_size on an active market'],
    ['a zero step', { ...steps, tickSize: '0.0001', tickSizeSteps: [{ abovePrice: '0.005', tickSize: '0' }] }, 'a missing or non-positive tick_size in tick_size_steps'],
    ['no significant digits', { ...significant, priceSignificantDigits: 0 }, 'missing price_significant_digits on an active market'],
    ['zero lot_size', { lotSize: '0' }, 'non-positive lot_size "0"'],
    ['both', { tickSize: '0', lotSize: '-1' }, 'non-positive tick_size "0"; non-positive lot_size "-1"'],
  ])('rejects an active market with %s', (_, overrides, reason) => {
    const bad = market('BAD', overrides);
    const newMarket = guard({ previous: byKey(ten), next: [...ten, bad] });
    expect(newMarket).toEqual({ action: 'apply', definitions: ten, rejected: [{ instrumentKey: bad.instrumentKey, reason }] });
  });

  it('a known market with bad data keeps its previous definition instead of disappearing', () => {
    const before = market('C3', { tickSize: '0.5' });
    const previous = byKey(ten.map((d, i) => (i === 3 ? before : d)));
    const next = ten.map((d, i) => (i === 3 ? { ...d, tickSize: '0' } : d));
    const verdict = guard({ previous, next });
    expect(verdict).toEqual({ action: 'apply', definitions: ten.map((d, i) => (i === 3 ? before : d)), rejected: [expect.objectContaining({ instrumentKey: before.instrumentKey })] });
  });

  it('accepts valid rules in every mode, and does not check markets that are not trading', () => {
    const fine = [
      market('SIG', { pricePrecisionMode: PrecisionMode.PRECISION_MODE_SIGNIFICANT_DIGITS, tickSize: '', priceSignificantDigits: 5, lotSize: '' }),
      market('STEPS', { pricePrecisionMode: PrecisionMode.PRECISION_MODE_TICK_SIZE_STEPS, tickSize: '0.0001', tickSizeSteps: [{ abovePrice: '0.005', tickSize: '0.0005' }] }),
      market('PRE', { status: InstrumentStatus.INSTRUMENT_STATUS_INCOMPLETE, tickSize: '', lotSize: '', incompleteFields: ['tick_size', 'lot_size'] }),
      market('HALT', { status: InstrumentStatus.INSTRUMENT_STATUS_HALTED, active: false, tickSize: '0' }),
    ];
    expect(guard({ next: fine })).toEqual({ action: 'apply', definitions: fine, rejected: [] });
  });
});

describe('guardRefresh: whole-refresh checks', () => {
  it('holds a load that lists an instrument_key twice, rejecting its copies', () => {
    const btc = market('BTC');
    const verdict = guard({ previous: byKey([btc]), next: [btc, btc, market('ETH')] });
    expect(verdict).toEqual({
      action: 'hold',
      held: { keys: new Set([btc.instrumentKey, market('ETH').instrumentKey]), kind: 'duplicate-keys', reason: `duplicate instrument_key ${btc.instrumentKey} (2 times)`, heldAt: now },
      rejected: [{ instrumentKey: btc.instrumentKey, reason: 'duplicate instrument_key (2 times)' }],
    });
  });

  it('holds an empty market list when the exchange provided instruments; the first load may be empty', () => {
    expect(heldOf(guard({ previous: byKey(ten), next: [] })).reason).toBe('empty market list');
    expect(guard({ next: [] })).toEqual({ action: 'apply', definitions: [], rejected: [] });
  });

  it('holds a load that would remove more than maxRemovalRatio of the instruments, not one at the limit', () => {
    expect(heldOf(guard({ previous: byKey(ten), next: ten.slice(0, 7) })).reason).toBe('would remove 3 of 10 instruments (30%), more than 20% at once');
    expect(guard({ previous: byKey(ten), next: ten.slice(0, 8) })).toMatchObject({ action: 'apply' });
    const many = coins(1000);
    expect(heldOf(guard({ previous: byKey(many), next: many.slice(201) })).reason).toBe('would remove 201 of 1000 instruments (20.1%), more than 20% at once');
  });

  it('never holds the first load for removals, and counts rejected known markets as kept', () => {
    expect(guard({ next: ten.slice(0, 1) })).toMatchObject({ action: 'apply' });
    const verdict = guard({ previous: byKey(ten), next: ten.map((d, i) => (i < 5 ? { ...d, tickSize: '0' } : d)) });
    expect(verdict).toMatchObject({ action: 'apply', definitions: ten });
  });

  it('rejects a policy ratio outside [0, 1]', () => {
    expect(() => guardRefresh({ previous: new Map(), next: [], held: undefined, now }, { maxRemovalRatio: 1.5 })).toThrow(RangeError);
  });
});

describe('guardRefresh: confirming a hold', () => {
  const truncated = ten.slice(0, 5);
  const held = heldOf(guard({ previous: byKey(ten), next: truncated }));

  it('applies the same suspect load the second time, naming the hold it confirmed', () => {
    expect(guard({ previous: byKey(ten), next: truncated, held, now: later }))
      .toEqual({ action: 'apply', definitions: truncated, rejected: [], confirmedHold: 'would remove 5 of 10 instruments (50%), more than 20% at once' });
  });

  it('applies a normal load and does not mark it as confirming', () => {
    expect(guard({ previous: byKey(ten), next: ten, held, now: later })).toEqual({ action: 'apply', definitions: ten, rejected: [] });
  });

  it('replaces the hold with a different suspect load: other keys, or the same keys for another reason', () => {
    const other = heldOf(guard({ previous: byKey(ten), next: ten.slice(0, 4), held, now: later }));
    expect(other).toEqual({ keys: new Set(ten.slice(0, 4).map((d) => d.instrumentKey)), kind: 'mass-removal', reason: 'would remove 6 of 10 instruments (60%), more than 20% at once', heldAt: later });
    const duplicated = heldOf(guard({ previous: byKey(ten), next: [...truncated, truncated[0] as InstrumentDefinition], held, now: later }));
    expect(duplicated).toMatchObject({ keys: held.keys, kind: 'duplicate-keys', heldAt: later });
  });
});

describe('guardRefresh on the recorded binanceusdm markets', () => {
  let replay: ReplayServer;
  let current: InstrumentDefinition[];
  let dated: InstrumentDefinition[];
  beforeAll(async () => {
    replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR, roots: [EXCHANGES_DATED_DIR] });
    const load = async (proxyUrl: string) => (await loadDefinitions(createExchange('binanceusdm', { proxyUrl }))).definitions;
    current = await load(replay.url);
    dated = await load(replay.proxyUrlFor('binanceusdm@2024-12-13'));
  });
  afterAll(() => replay?.close());

  it('accepts every recorded market', () => {
    expect(current).toHaveLength(556);
    expect(guard({ next: current })).toEqual({ action: 'apply', definitions: current, rejected: [] });
  });

  it('holds half of them, and an empty list', () => {
    const half = current.filter((_, i) => i % 2 === 0);
    expect(heldOf(guard({ previous: byKey(current), next: half })).reason).toBe('would remove 278 of 556 instruments (50%), more than 20% at once');
    expect(heldOf(guard({ previous: byKey(current), next: [] })).reason).toBe('empty market list');
  });

  it('applies the real change from 2024-12-13 to 2025-08-22 (5 of 385 removed)', () => {
    expect(dated).toHaveLength(385);
    const verdict = guard({ previous: byKey(dated), next: current });
    expect(verdict).toEqual({ action: 'apply', definitions: current, rejected: [] });
    expect(dated.filter((d) => !current.some((c) => c.instrumentKey === d.instrumentKey))).toHaveLength(5);
  });
});
