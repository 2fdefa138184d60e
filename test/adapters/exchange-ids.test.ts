import ccxt from 'ccxt';
import { expect, it } from 'vitest';
import { ccxtExchangeIds, isCcxtExchange } from '../../src/adapters/ccxt/exchange-ids.js';

it('reads exactly ccxt.exchanges without importing CCXT', () => {
  expect(ccxtExchangeIds()).toEqual([...(ccxt.exchanges as string[])].sort());
  expect(isCcxtExchange('binanceusdm')).toBe(true);
  expect(isCcxtExchange('binanse')).toBe(false);
});
