// venueOfTardisExchange: the venue table (README "Instrument keys") read from the Tardis side.
import { describe, expect, it } from 'vitest';

import { VenueType } from '../../gen/ts/instruments/v1/instrument.js';
import { resolveVenue, venueOfTardisExchange } from '../../src/domain/venues.js';

describe('venueOfTardisExchange', () => {
  it.each([
    ['binance', 'BINANCE-SPOT'],
    ['binance-futures', 'BINANCE-FUTURES'],
    ['binance-delivery', 'BINANCE-DELIVERY'],
    ['binance-european-options', 'BINANCE-OPTIONS'],
    ['deribit', 'DERIBIT'],
    ['okex', 'OKX'],
    ['okex-swap', 'OKX'],
    ['okex-futures', 'OKX'],
    ['okex-options', 'OKX'],
    ['bybit-spot', 'BYBIT-SPOT'],
    ['bybit', 'BYBIT'],
    ['bybit-options', 'BYBIT-OPTIONS'],
    ['dydx-v4', 'DYDX-V4'],
    ['kraken', 'KRAKEN'],
    ['cryptofacilities', 'KRAKEN-FUTURES'],
    ['bitfinex', 'BITFINEX'],
    ['bitfinex-derivatives', 'BITFINEX-DERIVATIVES'],
    ['bitmex', 'BITMEX'],
  ])('%s → %s', (tardisExchange, venue) => {
    expect(venueOfTardisExchange(tardisExchange)?.venue).toBe(venue);
  });

  it('names the CCXT ids of the venue, the primary source first', () => {
    expect(venueOfTardisExchange('deribit')).toEqual({ venue: 'DERIBIT', venueType: VenueType.VENUE_TYPE_CEX, ccxtIds: ['deribit'] });
    expect(venueOfTardisExchange('binance-futures')?.ccxtIds[0]).toBe('binanceusdm');
    expect(venueOfTardisExchange('binance-futures')?.ccxtIds).toContain('binance');
    expect(venueOfTardisExchange('binance-delivery')?.ccxtIds[0]).toBe('binancecoinm');
    expect(venueOfTardisExchange('okex-options')?.ccxtIds).toContain('okx');
    expect(venueOfTardisExchange('dydx-v4')?.venueType).toBe(VenueType.VENUE_TYPE_DEX);
  });

  it('is undefined for an exchange the table does not map', () => {
    expect(venueOfTardisExchange('huobi-dm')).toBeUndefined();
    expect(venueOfTardisExchange('')).toBeUndefined();
  });

  it('agrees with resolveVenue for the CCXT side of each id', () => {
    const okxSwap = resolveVenue('okx', {
      id: 'BTC-USDT-SWAP', spot: false, swap: true, future: false, option: false, linear: true, inverse: false, info: {},
    });
    expect(venueOfTardisExchange(okxSwap.tardisExchange)?.venue).toBe(okxSwap.venue);
  });
});
