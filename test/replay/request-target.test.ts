import { describe, expect, it } from 'vitest';

import { parseRequestTarget } from '../../src/adapters/replay/index.js';
import { prefixPath } from '../../src/adapters/replay/request-target.js';

const OKX = 'https://www.okx.com/api/v5/public/instruments?instType=OPTION&uly=BTC-USD';

describe('parseRequestTarget', () => {
  it('takes an unencoded target as-is', () => {
    expect(parseRequestTarget('/https://api.binance.com/api/v3/exchangeInfo')).toEqual({
      prefix: null,
      url: 'https://api.binance.com/api/v3/exchangeInfo',
    });
  });

  it('decodes a percent-encoded target (how ccxt sends URLs with a query)', () => {
    expect(parseRequestTarget(`/${encodeURIComponent(OKX)}`)).toEqual({ prefix: null, url: OKX });
    expect(parseRequestTarget(`/okx/${encodeURIComponent(OKX)}`)).toEqual({ prefix: 'okx', url: OKX });
    expect(parseRequestTarget('/http%3a%2F%2Fx.test%2Fa%3Fb%3D1')).toEqual({ prefix: null, url: 'http://x.test/a?b=1' });
  });

  it('keeps escapes inside an unencoded target', () => {
    expect(parseRequestTarget('/p/https://x.test/a%20b')).toEqual({ prefix: 'p', url: 'https://x.test/a%20b' });
  });

  it('splits dated, encoded and nested prefixes', () => {
    expect(parseRequestTarget('/binance@2022-12-17/https://api.binance.com/x')?.prefix).toBe('binance@2022-12-17');
    expect(parseRequestTarget('/binance%402022-12-17/https://api.binance.com/x')?.prefix).toBe('binance@2022-12-17');
    expect(parseRequestTarget('/a/httpbin/https://x.test/')).toEqual({ prefix: 'a/httpbin', url: 'https://x.test/' });
  });

  it('rejects paths without a target or with bad encoding', () => {
    expect(parseRequestTarget('/')).toBeNull();
    expect(parseRequestTarget('/binance/exchangeInfo')).toBeNull();
    expect(parseRequestTarget('/https%3A%2F%2Fx%E0%A4%A')).toBeNull();
  });
});

describe('prefixPath', () => {
  it('builds the path part of a proxyUrl', () => {
    expect(prefixPath(undefined)).toBe('');
    expect(prefixPath('/okx/')).toBe('okx/');
    expect(prefixPath('binance@2022-12-17')).toBe('binance@2022-12-17/');
    expect(prefixPath('a b/c')).toBe('a%20b/c/');
  });
});
