import { describe, expect, it } from 'vitest';
import { createExchange } from '../../src/adapters/ccxt/create-exchange.js';

describe('createExchange', () => {
  it('takes credentials only from <ID>_API_KEY / <ID>_SECRET', () => {
    const ex = createExchange('binance', {}, { BINANCE_API_KEY: 'k-env', BINANCE_SECRET: 's-env' });
    expect(ex.apiKey).toBe('k-env');
    expect(ex.secret).toBe('s-env');
    expect(createExchange('deribit', {}, {}).apiKey).toBeFalsy();
  });

  it('passes CCXT options through, proxyUrl included', () => {
    const ex = createExchange('okx', { ccxt: { options: { defaultUnderlying: ['BTC-USD'] }, timeout: 1234 }, proxyUrl: 'http://127.0.0.1:9/' }, {});
    expect(ex.options['defaultUnderlying']).toEqual(['BTC-USD']);
    expect(ex.timeout).toBe(1234);
    expect(ex.proxyUrl).toBe('http://127.0.0.1:9/');
  });

  it('switches to the sandbox when asked', () => {
    const live = createExchange('binance', {}, {});
    const sandbox = createExchange('binance', { sandbox: true }, {});
    expect(JSON.stringify(sandbox.urls['api'])).toMatch(/testnet/);
    expect(JSON.stringify(live.urls['api'])).not.toMatch(/testnet/);
  });

  it('refuses an id CCXT does not have', () => {
    expect(() => createExchange('notanexchange', {}, {})).toThrow(/"notanexchange" is not a CCXT exchange id/);
  });
});
