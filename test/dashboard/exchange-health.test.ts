import { describe, expect, it } from 'vitest';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { healthOf } from '../../src/adapters/http/exchange-health.js';
import { RingBuffer } from '../../src/adapters/http/ring-buffer.js';
import { parseListenAddress } from '../../src/adapters/http/listen-address.js';
import { exchangeStatus } from './support/stub-sources.js';

describe('healthOf', () => {
  const TTL = 900;
  it.each([
    ['ok', {}],
    ['loading', { state: ExchangeState.EXCHANGE_STATE_LOADING, lastSuccessTime: undefined }],
    ['failing', { state: ExchangeState.EXCHANGE_STATE_FAILED, lastError: 'down', consecutiveFailures: 2 }],
    ['held', { heldReason: 'would remove 40% of instruments' }],
    ['stale', { stalenessSeconds: TTL + 1 }],
    // Past the TTL is what clients feel, whatever the cause: it wins over failing and held.
    ['stale', { stalenessSeconds: TTL + 1, state: ExchangeState.EXCHANGE_STATE_FAILED, heldReason: 'x' }],
    ['failing', { stalenessSeconds: TTL, state: ExchangeState.EXCHANGE_STATE_FAILED, heldReason: 'x' }],
    // Never loaded and failing: nothing is old yet, the failure is the news.
    ['failing', { state: ExchangeState.EXCHANGE_STATE_FAILED, lastSuccessTime: undefined }],
  ] as const)('%s for %j', (health, overrides) => {
    expect(healthOf(exchangeStatus(overrides), TTL)).toBe(health);
  });
});

describe('RingBuffer', () => {
  it('keeps the last `capacity` items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (let i = 1; i <= 5; i++) ring.push(i);
    expect([ring.toArray(), ring.size]).toEqual([[3, 4, 5], 3]);
  });
});

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['[::1]:9464', { host: '::1', port: 9464 }],
    [':9464', { host: '0.0.0.0', port: 9464 }],
  ] as const)('%s', (listen, expected) => expect(parseListenAddress(listen)).toEqual(expected));

  it.each(['9464', 'host:99999', '::1:9464', 'host:port'])('rejects %s', (listen) => {
    expect(() => parseListenAddress(listen)).toThrow(/is not host:port/);
  });
});
