// The change-log entry codec: what one replica prepared is what every other replica applies, so
// the round trip must be exact (decimal strings included), and bytes that are not an entry must
// be refused with a message naming the problem rather than applied half-read.
import { describe, expect, it } from 'vitest';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, InstrumentChange, RemovalReason } from '../../gen/ts/instruments/v1/instrument_service.js';
import { decodeDelta, encodeDelta } from '../../src/adapters/redis/replication-entry.js';
import { InstrumentStore, type PreparedDelta } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

const LOADED = new Date('2025-03-01T12:00:00.000Z');

/** A real delta from the store: one update, one addition, one removal. */
function preparedDelta(): PreparedDelta {
  const store = new InstrumentStore();
  store.applyExchange('aaa', [perpetual('BTC'), perpetual('ETH', { lotSize: '0.0001' }), perpetual('SOL')], LOADED);
  const delta = store.prepareExchange('aaa', [
    perpetual('BTC', { tickSize: '0.00001', minSize: '0.001' }),
    perpetual('ETH', { lotSize: '0.0001' }),
    perpetual('PEPE', { tickSize: '0.0000001', lotSize: '1', maxSize: '100000000', contractSize: '1000' }),
  ], LOADED);
  if (delta === undefined) throw new Error('the load should change the store');
  return delta;
}

const json = (delta: PreparedDelta): unknown => ({
  ...delta,
  upserts: delta.upserts.map((d) => InstrumentDefinition.toJSON(d)),
  changes: delta.changes.map((c) => InstrumentChange.toJSON(c)),
});

describe('encodeDelta / decodeDelta', () => {
  it('round-trips changes of every kind, upserts and removed keys exactly', () => {
    const delta = preparedDelta();
    expect(delta.changes.map((c) => [c.changeType, c.instrumentKey]).sort()).toEqual([
      [ChangeType.CHANGE_TYPE_ADDED, perpetual('PEPE').instrumentKey],
      [ChangeType.CHANGE_TYPE_UPDATED, perpetual('BTC').instrumentKey],
      [ChangeType.CHANGE_TYPE_REMOVED, perpetual('SOL').instrumentKey],
    ].sort());

    const decoded = decodeDelta('aaa', encodeDelta(delta));
    expect(json(decoded)).toEqual(json(delta));
    expect(decoded.appliedAt.getTime()).toBe(delta.appliedAt.getTime());

    // The decimals stay the strings the exchange gave, not numbers that went through a float.
    const byKey = new Map(decoded.upserts.map((d) => [d.ccxtSymbol, d]));
    expect(byKey.get('BTC/USDT:USDT')?.tickSize).toBe('0.00001');
    expect(byKey.get('PEPE/USDT:USDT')).toMatchObject({ tickSize: '0.0000001', lotSize: '1', maxSize: '100000000', contractSize: '1000' });
    expect(decoded.removedKeys).toEqual([perpetual('SOL').instrumentKey]);

    const updated = decoded.changes.find((c) => c.changeType === ChangeType.CHANGE_TYPE_UPDATED);
    expect(updated?.previous?.tickSize).toBe('0.1');
    expect(updated?.instrument?.tickSize).toBe('0.00001');
    expect(updated?.changedFields).toEqual(['tick_size', 'min_size']);
    const removed = decoded.changes.find((c) => c.changeType === ChangeType.CHANGE_TYPE_REMOVED);
    expect(removed?.removalReason).toBe(RemovalReason.REMOVAL_REASON_DELISTED);
    expect(removed?.instrument?.availableToDatetime?.getTime()).toBe(LOADED.getTime());
  });

  it('round-trips a delta with no visible changes and keys outside ASCII', () => {
    const delta: PreparedDelta = {
      ccxtExchange: 'bbb', upserts: [perpetual('BTC', { ccxtExchange: 'bbb', stale: false })],
      removedKeys: ['TEST-VENUE:SPOT:币安币/USDT'], changes: [], appliedAt: LOADED,
    };
    const decoded = decodeDelta('bbb', encodeDelta(delta));
    expect(json(decoded)).toEqual(json(delta));
  });

  it('takes the exchange from the entry, not the payload', () => {
    expect(decodeDelta('other', encodeDelta(preparedDelta())).ccxtExchange).toBe('other');
  });

  describe('refuses bytes that are not an entry, naming the problem', () => {
    const bytes = encodeDelta(preparedDelta());

    it('a version it does not know', () => {
      const v2 = Buffer.from(bytes);
      v2[0] = 2;
      expect(() => decodeDelta('aaa', v2)).toThrow('change-log entry version 2, expected 1');
    });

    it('nothing at all', () => {
      expect(() => decodeDelta('aaa', Buffer.alloc(0))).toThrow(/change-log entry cut short: needs 1 bytes at 0 of 0/);
    });

    it('data cut short anywhere', () => {
      // Every prefix: inside a length, inside a body, between sections.
      for (let length = 1; length < bytes.length; length += 1) {
        expect(() => decodeDelta('aaa', bytes.subarray(0, length)), `cut at ${length}`).toThrow(new RegExp(`change-log entry cut short: needs \\d+ bytes at \\d+ of ${length}$`));
      }
    });

    it('trailing bytes', () => {
      expect(() => decodeDelta('aaa', Buffer.concat([bytes, Buffer.from([0, 0, 0])]))).toThrow('change-log entry has 3 bytes after its end');
    });
  });
});
