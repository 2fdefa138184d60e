import { describe, expect, it } from 'vitest';
import { mergeDefinitions } from '../../src/domain/merge-definitions.js';
import { perpetual } from '../support/definitions.js';

describe('mergeDefinitions', () => {
  const listed = new Date('2024-01-05T00:00:00Z');
  const historical = perpetual('BTC', {
    dataProvider: 'tardis', isLive: false, tickSize: '0.5', minSize: '0.001', tardisExchange: 'binance-futures',
    tardisSymbol: 'BTCUSDT', availableFromDatetime: listed, availableToDatetime: new Date('2024-06-01T00:00:00Z'), active: false,
  });

  it('live wins for every field it has; history fills only what live lacks, and says which', () => {
    const live = perpetual('BTC', { dataProvider: 'ccxt', tickSize: '0.1', minSize: '' });
    const merged = mergeDefinitions(live, historical);
    expect(merged).toMatchObject({
      tickSize: '0.1', minSize: '0.001', tardisExchange: 'binance-futures', tardisSymbol: 'BTCUSDT',
      availableFromDatetime: listed, dataProvider: 'ccxt', isLive: true, active: true,
    });
    // Live state is never overwritten by history, even where live has no value.
    expect(merged?.availableToDatetime).toBeUndefined();
    expect(merged?.fieldsFromHistory).toEqual(['available_from_datetime', 'tardis_symbol', 'tardis_exchange', 'min_size']);
  });

  it('history alone serves an instrument that is no longer listed; live alone is returned as is', () => {
    expect(mergeDefinitions(undefined, historical)).toBe(historical);
    const live = perpetual('BTC');
    expect(mergeDefinitions(live, undefined)).toBe(live);
    expect(mergeDefinitions(live, perpetual('BTC'))).toBe(live);
  });
});
