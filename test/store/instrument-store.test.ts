import { describe, expect, it } from 'vitest';
import { InstrumentStatus, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, RemovalReason } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { pairKey } from '../../src/store/store-view.js';
import { perpetual } from '../support/definitions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const t2 = new Date('2026-01-01T00:10:00Z');

describe('InstrumentStore change batches', () => {
  it('first load: every instrument ADDED under revision 1; an identical reload makes no batch', () => {
    const store = new InstrumentStore();
    const batch = store.applyExchange('testex', [perpetual('BTC'), perpetual('ETH')], t0);
    expect(batch?.revision).toBe(1);
    expect(batch?.changes.map((c) => [c.changeType, c.instrumentKey])).toEqual([
      [ChangeType.CHANGE_TYPE_ADDED, 'TEST-VENUE:PERPETUAL:BTC/USDT:USDT'],
      [ChangeType.CHANGE_TYPE_ADDED, 'TEST-VENUE:PERPETUAL:ETH/USDT:USDT'],
    ]);
    // Only last_updated differs on reload: no change, no revision, and the stored object is kept.
    const again = store.applyExchange('testex', [perpetual('BTC', { lastUpdated: t1 }), perpetual('ETH', { lastUpdated: t1 })], t1);
    expect(again).toBeUndefined();
    expect(store.revision).toBe(1);
  });

  it('a reload with the very objects applied last time is no change; one replaced object is compared and applied', () => {
    const store = new InstrumentStore();
    const loaded = [perpetual('BTC', { lastUpdated: t0 }), perpetual('ETH', { lastUpdated: t0 })];
    store.applyExchange('testex', loaded, t0);
    expect(store.applyExchange('testex', [...loaded], t1)).toBeUndefined();
    const batch = store.applyExchange('testex', [loaded[0]!, perpetual('ETH', { lastUpdated: t1, lotSize: '0.01' })], t1);
    expect(batch?.changes.map((c) => [c.instrumentKey, c.changedFields])).toEqual([['TEST-VENUE:PERPETUAL:ETH/USDT:USDT', ['lot_size']]]);
    // The same objects again, but one fewer: the missing one is removed.
    const removal = store.applyExchange('testex', [loaded[0]!], t2);
    expect(removal?.changes.map((c) => [c.changeType, c.instrumentKey])).toEqual([[ChangeType.CHANGE_TYPE_REMOVED, 'TEST-VENUE:PERPETUAL:ETH/USDT:USDT']]);
  });

  it('a change to a definition that loses its key to another exchange is no batch, but its own CCXT lookup sees it', () => {
    const store = new InstrumentStore();
    const futures = (ccxtExchange: string, tickSize: string): InstrumentDefinition => perpetual('BTC', {
      instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT', venue: 'BINANCE-FUTURES', ccxtExchange, tickSize,
    });
    store.applyExchange('binanceusdm', [futures('binanceusdm', '0.1')], t0);
    store.applyExchange('binance', [futures('binance', '0.1')], t0);
    expect(store.applyExchange('binance', [futures('binance', '0.5')], t1)).toBeUndefined();
    expect(store.view().byKey.get('BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT')?.ccxtExchange).toBe('binanceusdm');
    expect(store.view().byCcxt.get(pairKey('binance', 'BTC/USDT:USDT'))?.tickSize).toBe('0.5');
    expect(store.view().byCcxt.get(pairKey('binanceusdm', 'BTC/USDT:USDT'))?.tickSize).toBe('0.1');
  });

  it('UPDATED names the changed fields and carries the previous value; a halt is a status change', () => {
    const store = new InstrumentStore();
    store.applyExchange('testex', [perpetual('BTC', { lastUpdated: t0 })], t0);
    const batch = store.applyExchange('testex', [perpetual('BTC', { tickSize: '0.5', active: false, status: InstrumentStatus.INSTRUMENT_STATUS_HALTED, lastUpdated: t1 })], t1);
    const [change] = batch?.changes ?? [];
    expect(change?.changeType).toBe(ChangeType.CHANGE_TYPE_UPDATED);
    expect(change?.changedFields).toEqual(['active', 'tick_size', 'status']);
    expect(change?.previous?.tickSize).toBe('0.1');
    expect(change?.instrument?.tickSize).toBe('0.5');
    expect(store.view().byKey.get('TEST-VENUE:PERPETUAL:BTC/USDT:USDT')?.lastUpdated).toEqual(t1);
  });

  it('REMOVED says expired when the expiry has passed, delisted otherwise, and sets available_to_datetime', () => {
    const store = new InstrumentStore();
    const expiring = perpetual('OLD', { expiry: new Date('2026-01-01T00:01:00Z') });
    store.applyExchange('testex', [perpetual('BTC'), perpetual('GONE'), expiring], t0);
    const batch = store.applyExchange('testex', [perpetual('BTC')], t1);
    const byKey = new Map(batch?.changes.map((c) => [c.instrumentKey, c]));
    const gone = byKey.get('TEST-VENUE:PERPETUAL:GONE/USDT:USDT');
    expect(gone?.removalReason).toBe(RemovalReason.REMOVAL_REASON_DELISTED);
    expect(gone?.instrument?.availableToDatetime).toEqual(t1);
    expect(gone?.instrument?.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_DELISTED);
    expect(gone?.previous?.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_TRADING);
    const old = byKey.get('TEST-VENUE:PERPETUAL:OLD/USDT:USDT');
    expect(old?.removalReason).toBe(RemovalReason.REMOVAL_REASON_EXPIRED);
    expect(old?.instrument?.availableToDatetime).toEqual(expiring.expiry);
    expect(store.view().byKey.size).toBe(1);
  });

  it('publishes each batch after the view moved to its revision', () => {
    const store = new InstrumentStore();
    const seen: Array<[number, number]> = [];
    store.changes$.subscribe((b: ChangeBatchEvent) => seen.push([b.revision, store.view().revision]));
    store.applyExchange('testex', [perpetual('BTC')], t0);
    store.applyExchange('testex', [perpetual('BTC', { tickSize: '1' })], t1);
    expect(seen).toEqual([[1, 1], [2, 2]]);
  });

  it('keeps a bounded history for resuming and refuses revisions compacted away', () => {
    const store = new InstrumentStore({ maxBatches: 3, maxChanges: 1000 });
    for (let i = 1; i <= 5; i++) store.applyExchange('testex', [perpetual('BTC', { tickSize: String(i) })], t0);
    expect(store.revision).toBe(5);
    expect(store.changesSince(2)?.map((b) => b.revision)).toEqual([3, 4, 5]);
    expect(store.changesSince(5)).toEqual([]);
    expect(store.changesSince(1)).toBeUndefined();
    expect(store.oldestResumableRevision).toBe(2);
  });

  it('two sources of one key: the venue\'s primary source is served, and a switch of source is an update', () => {
    const store = new InstrumentStore();
    const usdm = (o = {}) => perpetual('BTC', { venue: 'BINANCE-FUTURES', instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT', ccxtExchange: 'binanceusdm', ...o });
    store.applyExchange('binance', [usdm({ ccxtExchange: 'binance', tickSize: '0.2' })], t0);
    const batch = store.applyExchange('binanceusdm', [usdm()], t1);
    expect(batch?.changes[0]?.changedFields).toEqual(['tick_size', 'ccxt_exchange']);
    // The secondary source changing what it says is invisible while the primary serves the key.
    expect(store.applyExchange('binance', [usdm({ ccxtExchange: 'binance', tickSize: '0.3' })], t1)).toBeUndefined();
    // The primary dropping it hands the key back to the secondary: an update, not a removal.
    const handover = store.applyExchange('binanceusdm', [], t1);
    expect(handover?.changes.map((c) => c.changeType)).toEqual([ChangeType.CHANGE_TYPE_UPDATED]);
    expect(store.view().byKey.get('BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT')?.ccxtExchange).toBe('binance');
  });
});
