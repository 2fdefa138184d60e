import { describe, expect, it } from 'vitest';
import { InstrumentStatus } from '../../gen/ts/instruments/v1/instrument.js';
import { SourceView } from '../../gen/ts/instruments/v1/instrument_service.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-02T00:00:00Z');
const key = (s: string): string => `TEST-VENUE:PERPETUAL:${s}/USDT:USDT`;

describe('InstrumentStore: restore, retired instruments and source views', () => {
  it('serves restored state at once, stale, continuing the revision; a refresh that confirms it changes nothing', () => {
    const store = new InstrumentStore();
    store.restore({ revision: 41, sources: new Map([['testex', [perpetual('BTC', { lastUpdated: t0 }), perpetual('ETH')]]]), history: [], oldestResumable: 41, retired: [] });
    expect(store.revision).toBe(41);
    expect(store.view().byKey.get(key('BTC'))?.stale).toBe(true);
    expect(store.applyExchange('testex', [perpetual('BTC', { lastUpdated: t1 }), perpetual('ETH')], t1)).toBeUndefined();
    expect(store.revision).toBe(41);
    expect(store.view().byKey.get(key('BTC'))?.stale).toBe(false);
    // Confirming is not changing: last_updated still says when the definition last changed.
    expect(store.view().byKey.get(key('BTC'))?.lastUpdated).toEqual(t0);
    // The next real change continues the sequence.
    expect(store.applyExchange('testex', [perpetual('BTC', { tickSize: '9' }), perpetual('ETH')], t1)?.revision).toBe(42);
  });

  it('with no history, the merged view is the live view itself (nothing rebuilt per read)', () => {
    const store = new InstrumentStore();
    store.applyExchange('testex', [perpetual('BTC')], t0);
    expect(store.readView(SourceView.SOURCE_VIEW_MERGED)).toBe(store.view());
  });

  it('keeps removed instruments in the merged and historical views, closed; live forgets them; relisting brings them back', () => {
    const store = new InstrumentStore();
    store.applyExchange('testex', [perpetual('BTC'), perpetual('GONE')], t0);
    store.applyExchange('testex', [perpetual('BTC')], t1);
    expect(store.readView(SourceView.SOURCE_VIEW_LIVE).byKey.has(key('GONE'))).toBe(false);
    const merged = store.readView(SourceView.SOURCE_VIEW_MERGED).byKey.get(key('GONE'));
    expect(merged).toMatchObject({ isLive: false, active: false, status: InstrumentStatus.INSTRUMENT_STATUS_DELISTED, availableToDatetime: t1 });
    expect([...store.readView(SourceView.SOURCE_VIEW_HISTORICAL).byKey.keys()]).toEqual([key('GONE')]);
    expect(store.readView(SourceView.SOURCE_VIEW_MERGED).byKey.get(key('BTC'))?.isLive).toBe(true);
    store.applyExchange('testex', [perpetual('BTC'), perpetual('GONE')], t1);
    expect(store.readView(SourceView.SOURCE_VIEW_HISTORICAL).byKey.size).toBe(0);
  });

  it('historical definitions fill what live lacks and serve what is no longer live; as-of follows the recorded history', () => {
    const store = new InstrumentStore();
    store.applyExchange('testex', [perpetual('BTC', { minSize: '' })], t0);
    const old = perpetual('OLD', { dataProvider: 'tardis', isLive: false, availableFromDatetime: t0, availableToDatetime: t1 });
    store.setHistorical([
      { definition: perpetual('BTC', { dataProvider: 'tardis', isLive: false, minSize: '0.001' }) },
      { definition: old },
    ]);
    const merged = store.readView(SourceView.SOURCE_VIEW_MERGED);
    expect(merged.byKey.get(key('BTC'))).toMatchObject({ minSize: '0.001', isLive: true, fieldsFromHistory: ['min_size'] });
    expect(merged.byKey.get(key('OLD'))).toBe(old);
    expect(store.definitionAsOf(key('OLD'), new Date('2026-01-01T12:00:00Z'))).toBe(old);
    expect(store.definitionAsOf(key('OLD'), t1)).toBeUndefined();
  });
});
