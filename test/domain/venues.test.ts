import { describe, expect, it } from 'vitest';
import { resolveVenue, sourceRank, venuesOfExchange, type MarketShape } from '../../src/domain/venues.js';

const market = (overrides: Partial<MarketShape>): MarketShape => ({
  id: 'BTCUSDT', spot: false, swap: false, future: false, option: false, linear: undefined, inverse: undefined, info: {}, ...overrides,
});
const spot = market({ spot: true });
const linearSwap = market({ swap: true, linear: true, inverse: false });
const inverseSwap = market({ id: 'BTCUSD_PERP', swap: true, linear: false, inverse: true });

// The VENUE ↔ CCXT id ↔ Tardis exchange table as the foundation issue states it.
describe('venue table', () => {
  it.each([
    ['binance', spot, 'BINANCE-SPOT', 'binance', 'BTCUSDT'],
    ['binance', linearSwap, 'BINANCE-FUTURES', 'binance-futures', 'BTCUSDT'],
    ['binanceusdm', linearSwap, 'BINANCE-FUTURES', 'binance-futures', 'BTCUSDT'],
    ['binance', inverseSwap, 'BINANCE-DELIVERY', 'binance-delivery', 'BTCUSD_PERP'],
    ['binancecoinm', inverseSwap, 'BINANCE-DELIVERY', 'binance-delivery', 'BTCUSD_PERP'],
    ['deribit', market({ id: 'BTC-PERPETUAL', swap: true, inverse: true, linear: false }), 'DERIBIT', 'deribit', 'BTC-PERPETUAL'],
    ['okx', market({ id: 'BTC-USDT', spot: true }), 'OKX', 'okex', 'BTC-USDT'],
    ['okx', market({ id: 'BTC-USDT-SWAP', swap: true, linear: true, inverse: false }), 'OKX', 'okex-swap', 'BTC-USDT-SWAP'],
    ['okx', market({ id: 'BTC-USD-241227', future: true, linear: false, inverse: true }), 'OKX', 'okex-futures', 'BTC-USD-241227'],
    ['okx', market({ id: 'BTC-USD-241217-92000-C', option: true, linear: false, inverse: true }), 'OKX', 'okex-options', 'BTC-USD-241217-92000-C'],
    ['dydx', market({ id: 'BTC-USD', swap: true, linear: true, inverse: false }), 'DYDX-V4', 'dydx-v4', 'BTC-USD'],
    ['kraken', market({ id: 'XXBTZUSD', spot: true, info: { wsname: 'XBT/USD' } }), 'KRAKEN', 'kraken', 'XBT/USD'],
  ])('%s market %o → %s / %s / %s', (id, m, venue, tardisExchange, tardisSymbol) => {
    expect(resolveVenue(id, m)).toMatchObject({ venue, tardisExchange, tardisSymbol });
  });

  it('an exchange without a table entry becomes its own upper-cased venue with no Tardis mapping', () => {
    expect(resolveVenue('coinex', spot)).toEqual(expect.objectContaining({ venue: 'COINEX', tardisExchange: '', tardisSymbol: '' }));
  });

  it('lists the venues each exchange can serve', () => {
    expect(venuesOfExchange('binance').sort()).toEqual(['BINANCE-DELIVERY', 'BINANCE-FUTURES', 'BINANCE-OPTIONS', 'BINANCE-SPOT']);
    expect(venuesOfExchange('binanceusdm')).toContain('BINANCE-FUTURES');
  });

  it('prefers the dedicated CCXT id when two load the same venue', () => {
    expect(sourceRank('binanceusdm', 'BINANCE-FUTURES')).toBeLessThan(sourceRank('binance', 'BINANCE-FUTURES'));
    expect(sourceRank('binance', 'BINANCE-SPOT')).toBe(0);
    expect(sourceRank('deribit', 'DERIBIT')).toBe(0);
  });
});
