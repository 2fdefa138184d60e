// tardisDefinitionAsOf on the samples' real `changes` histories: each entry holds the values valid
// before its `until` (ascending); the top-level values hold from the last `until` on.
import { describe, expect, it } from 'vitest';

import { InstrumentStatus } from '../../gen/ts/instruments/v1/instrument.js';
import { tardisDefinitionAsOf, tardisToDefinition } from '../../src/domain/tardis-definition.js';
import type { TardisInstrument } from '../../src/domain/tardis-instrument.js';
import type { RawObject } from '../conversion/support/raw-fixture.js';
import { canonical } from '../support/exact-decimal.js';
import { readSample, rawText } from './support/samples.js';

const OPTIONS = { dataProvider: 'tardis' };
const at = (iso: string): Date => new Date(iso);
const before = (iso: string): Date => new Date(Date.parse(iso) - 1);

function asOf(record: TardisInstrument, time: Date) {
  const d = tardisDefinitionAsOf(record, time, OPTIONS);
  if (d === undefined) throw new Error(`${record.id}: no definition at ${time.toISOString()}`);
  return d;
}

function changesOf(raw: RawObject): RawObject[] {
  const list = raw['changes'];
  if (!Array.isArray(list)) throw new Error('sample has no changes');
  return list as RawObject[];
}

describe('deribit BTC_USDC: one change (tick 0.01 until 2024-04-02T12:10Z, 1 since)', () => {
  const { record, raw } = readSample('deribit_BTC_USDC.json');
  const [change] = changesOf(raw);
  if (change === undefined) throw new Error('sample has no change');
  const until = rawText(change, 'until') ?? '';
  const since = rawText(raw, 'availableSince') ?? '';
  const current = tardisToDefinition(record, OPTIONS);
  if (!current.ok) throw new Error(current.reason);

  it('gives the older value before `until`, from availableSince on', () => {
    expect(until).toBe('2024-04-02T12:10:00.000Z');
    for (const time of [at(since), at('2023-12-31T00:00:00Z'), before(until)]) {
      const d = asOf(record, time);
      expect(d.tickSize).toBe(canonical(rawText(change, 'priceIncrement') ?? ''));
      expect(d.tickSize).toBe('0.01');
      // Only the changed field differs from the current definition.
      expect({ ...d, tickSize: current.definition.tickSize, lastUpdated: undefined })
        .toEqual({ ...current.definition, lastUpdated: undefined });
      expect(d.lastUpdated).toEqual(at(since));
    }
  });

  it('gives the current value at and after `until`', () => {
    for (const time of [at(until), at('2025-06-01T00:00:00Z')]) {
      const d = asOf(record, time);
      expect(d.tickSize).toBe(canonical(rawText(raw, 'priceIncrement') ?? ''));
      expect(d).toEqual(current.definition);
    }
  });

  it('is undefined before availableSince', () => {
    expect(tardisDefinitionAsOf(record, before(since), OPTIONS)).toBeUndefined();
    expect(tardisDefinitionAsOf(record, at('2020-01-01T00:00:00Z'), OPTIONS)).toBeUndefined();
  });
});

describe('bitmex XBTUSD: three changes naming different fields', () => {
  const { record, raw } = readSample('bitmex_XBTUSD.json');
  const changes = changesOf(raw);
  const value = (o: RawObject, key: string): string => canonical(rawText(o, key) ?? '');
  const untils = changes.map((c) => rawText(c, 'until') ?? '');

  // The value of `key` at a time before untils[i]: the first entry from i on that names it, else current.
  function expectedAt(i: number, key: string): string {
    const entry = changes.slice(i).find((c) => rawText(c, key) !== undefined);
    return value(entry ?? raw, key);
  }

  it.each([0, 1, 2, 3])('in period %i each field is the one valid then', (i) => {
    const time = i === 0 ? at(rawText(raw, 'availableSince') ?? '') : at(untils[i - 1] ?? '');
    for (const probe of [time, i < untils.length ? before(untils[i] ?? '') : at('2025-04-01T00:00:00Z')]) {
      const d = asOf(record, probe);
      expect({ tick: d.tickSize, lot: d.lotSize, min: d.minSize, maker: d.tradingFeesMaker, taker: d.tradingFeesTaker }).toEqual({
        tick: expectedAt(i, 'priceIncrement'),
        lot: expectedAt(i, 'amountIncrement'),
        min: expectedAt(i, 'minTradeAmount'),
        maker: expectedAt(i, 'makerFee'),
        taker: expectedAt(i, 'takerFee'),
      });
      expect(d.instrumentKey).toBe('BITMEX:PERPETUAL:BTC/USD:BTC');
    }
  });

  it('spells the periods out (2020: lot 1, tick 0.5; 2022: lot 100, tick 0.5; Aug 2024: tick 0.1; now: fees 0.0005)', () => {
    expect(asOf(record, at('2020-01-01T00:00:00Z'))).toMatchObject({ lotSize: '1', minSize: '1', tickSize: '0.5', tradingFeesMaker: '0.0002' });
    expect(asOf(record, at('2022-01-01T00:00:00Z'))).toMatchObject({ lotSize: '100', minSize: '100', tickSize: '0.5', tradingFeesMaker: '0.0002' });
    expect(asOf(record, at('2024-08-01T00:00:00Z'))).toMatchObject({ lotSize: '100', tickSize: '0.1', tradingFeesMaker: '0.0002', tradingFeesTaker: '0.00075' });
    expect(asOf(record, at('2024-10-22T00:00:00Z'))).toMatchObject({ tickSize: '0.1', tradingFeesMaker: '0.0005', tradingFeesTaker: '0.0005' });
    expect(asOf(record, at('2022-01-01T00:00:00Z')).lastUpdated).toEqual(at('2021-06-08T04:30:00.000Z'));
  });
});

describe('lifecycle as of a time', () => {
  // BTC-14FEB25 (expiry 2025-02-14T08:00Z) as Tardis would show it once expired.
  const expired: TardisInstrument = { ...readSample('deribit_BTC-14FEB25.json').record, active: false, availableTo: '2025-02-15T00:00:00.000Z' };

  it('was listed and trading before its expiry', () => {
    expect(asOf(expired, at('2025-02-10T00:00:00Z'))).toMatchObject({
      active: true, status: InstrumentStatus.INSTRUMENT_STATUS_TRADING, availableToDatetime: undefined,
    });
  });

  it('is EXPIRED from its expiry, and closed from availableTo', () => {
    expect(asOf(expired, at('2025-02-14T08:00:00Z'))).toMatchObject({
      active: false, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, availableToDatetime: undefined,
    });
    expect(asOf(expired, at('2025-03-01T00:00:00Z'))).toMatchObject({
      active: false, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, availableToDatetime: at('2025-02-15T00:00:00.000Z'),
    });
  });

  it('is DELISTED from availableTo when that is before the expiry day', () => {
    const delisted = { ...expired, availableTo: '2025-02-05T00:00:00.000Z' };
    expect(asOf(delisted, at('2025-02-04T00:00:00Z')).status).toBe(InstrumentStatus.INSTRUMENT_STATUS_TRADING);
    expect(asOf(delisted, at('2025-02-06T00:00:00Z'))).toMatchObject({
      active: false, status: InstrumentStatus.INSTRUMENT_STATUS_DELISTED, availableToDatetime: at('2025-02-05T00:00:00.000Z'),
    });
  });

  it('is undefined for a record that does not convert', () => {
    expect(tardisDefinitionAsOf({ ...expired, exchange: 'nowhere' }, at('2025-02-10T00:00:00Z'), OPTIONS)).toBeUndefined();
  });
});
