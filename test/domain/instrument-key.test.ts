import { describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { formatInstrumentKey, parseInstrumentKey } from '../../src/domain/instrument-key.js';

describe('instrument keys', () => {
  it('round-trips symbols that contain ":"', () => {
    const key = formatInstrumentKey('BINANCE-FUTURES', InstrumentType.INSTRUMENT_TYPE_PERPETUAL, 'BTC/USDT:USDT');
    expect(key).toBe('BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT');
    expect(parseInstrumentKey(key)).toEqual({
      venue: 'BINANCE-FUTURES', type: 'PERPETUAL', instrumentType: InstrumentType.INSTRUMENT_TYPE_PERPETUAL, symbol: 'BTC/USDT:USDT',
    });
  });

  it.each([
    ['BTCUSDT', /expected VENUE:TYPE:SYMBOL/],
    ['binance-spot:SPOT:BTC/USDT', /venue "binance-spot"/],
    ['BINANCE-SPOT:SWAP:BTC/USDT', /accepted types are SPOT, PERPETUAL, FUTURE, OPTION, COMBO/],
    ['DERIBIT:OPTION:', /no symbol/],
  ])('%s is malformed', (key, message) => {
    const parsed = parseInstrumentKey(key);
    expect('error' in parsed && parsed.error).toMatch(message);
  });

  it('refuses to format an unspecified type', () => {
    expect(() => formatInstrumentKey('X', InstrumentType.INSTRUMENT_TYPE_UNSPECIFIED, 'A/B')).toThrow(/no key type/);
  });
});
