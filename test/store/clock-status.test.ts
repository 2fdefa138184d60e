import { describe, expect, it } from 'vitest';
import { InstrumentStatus, InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, RemovalReason } from '../../gen/ts/instruments/v1/instrument_service.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

const expiry = new Date('2026-03-27T08:00:00Z');
const key = 'TEST-VENUE:FUTURE:BTC/USDT:USDT-260327';
const future = () => perpetual('BTC', { instrumentKey: key, ccxtSymbol: 'BTC/USDT:USDT-260327', instrumentType: InstrumentType.INSTRUMENT_TYPE_FUTURE, expiry });
const at = (ms: number) => new Date(expiry.getTime() + ms);
const summary = (batch: ReturnType<InstrumentStore['applyClock']>) => batch?.changes.map((c) => [c.changeType, c.instrumentKey, c.changedFields]);

describe('InstrumentStore and the clock rule', () => {
  it('a load at a time past the expiry brings the contract in EXPIRED and inactive', () => {
    const store = new InstrumentStore();
    const batch = store.applyExchange('testex', [future(), perpetual('ETH')], at(1));
    expect(batch?.changes[0]?.instrument).toMatchObject({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false });
    expect(store.view().byKey.get(key)?.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_EXPIRED);
  });

  it('the clock at the expiry makes one UPDATED (active, status); again, or a reload of the same contract, none', () => {
    const store = new InstrumentStore();
    const loaded = [future(), perpetual('ETH')];
    store.applyExchange('testex', loaded, at(-60_000));
    expect(store.applyClock('testex', at(-1))).toBeUndefined();
    const batch = store.applyClock('testex', at(0));
    expect(summary(batch)).toEqual([[ChangeType.CHANGE_TYPE_UPDATED, key, ['active', 'status']]]);
    expect(batch?.revision).toBe(2);
    expect(store.applyClock('testex', at(1000))).toBeUndefined();
    // The loader's very objects again, and then equal new ones: the exchange still lists it.
    expect(store.applyExchange('testex', loaded, at(2000))).toBeUndefined();
    expect(store.applyExchange('testex', [future(), perpetual('ETH')], at(3000))).toBeUndefined();
    expect(store.revision).toBe(2);
  });

  it('a reload of the very same objects after an expiry no tick applied still changes it (the shortcut checks the clock)', () => {
    const store = new InstrumentStore();
    const loaded = [future()];
    store.applyExchange('testex', loaded, at(-60_000));
    expect(summary(store.applyExchange('testex', loaded, at(1)))).toEqual([[ChangeType.CHANGE_TYPE_UPDATED, key, ['active', 'status']]]);
  });

  it('the exchange dropping it later is still a REMOVED with reason EXPIRED', () => {
    const store = new InstrumentStore();
    store.applyExchange('testex', [future(), perpetual('ETH')], at(-60_000));
    store.applyClock('testex', at(0));
    const removal = store.applyExchange('testex', [perpetual('ETH')], at(60_000));
    expect(removal?.changes.map((c) => [c.changeType, c.removalReason, c.instrument?.status])).toEqual([
      [ChangeType.CHANGE_TYPE_REMOVED, RemovalReason.REMOVAL_REASON_EXPIRED, InstrumentStatus.INSTRUMENT_STATUS_EXPIRED],
    ]);
  });

  it('after a restart the clock keeps restored definitions stale; the first load confirms them without another change', () => {
    const store = new InstrumentStore();
    store.restore({ revision: 7, sources: new Map([['testex', [future()]]]), history: [], oldestResumable: 7, retired: [] });
    const batch = store.applyClock('testex', at(0));
    expect(batch?.changes[0]?.instrument).toMatchObject({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false, stale: true });
    expect(store.applyExchange('testex', [future()], at(1000))).toBeUndefined();
    expect(store.view().byKey.get(key)).toMatchObject({ stale: false, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED });
  });
});
