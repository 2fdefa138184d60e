import { describe, expect, it } from 'vitest';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { encodeHandover, HandoverDecoder } from '../../src/adapters/ccxt/definition-handover.js';
import { perpetual } from '../support/definitions.js';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const t2 = new Date('2026-01-01T00:10:00Z');

describe('definition hand-over from the loader thread', () => {
  it('first load: every definition decoded as sent, last_updated being the load time', () => {
    const sent = (): InstrumentDefinition[] => [perpetual('BTC', { lastUpdated: t0 }), perpetual('ETH', { lastUpdated: t0, strike: '0.30000000000000004' })];
    const { definitions, decoded } = new HandoverDecoder().decode(encodeHandover(sent()), t0);
    expect(decoded).toBe(2);
    expect(definitions).toEqual(sent());
  });

  it('a reload with equal content answers with the previous objects, whatever its last_updated; changed content is decoded', () => {
    const decoder = new HandoverDecoder();
    const first = decoder.decode(encodeHandover([perpetual('BTC', { lastUpdated: t0 }), perpetual('ETH', { lastUpdated: t0 })]), t0).definitions;
    const second = decoder.decode(encodeHandover([perpetual('BTC', { lastUpdated: t1 }), perpetual('ETH', { lastUpdated: t1, tickSize: '0.05' })]), t1);
    expect(second.decoded).toBe(1);
    expect(second.definitions[0]).toBe(first[0]);
    expect(second.definitions[0]?.lastUpdated).toEqual(t0);
    expect(second.definitions[1]).not.toBe(first[1]);
    expect(second.definitions[1]).toEqual(perpetual('ETH', { lastUpdated: t1, tickSize: '0.05' }));
    // Only the previous load is remembered: content that came back after a change is decoded again.
    const third = decoder.decode(encodeHandover([perpetual('ETH', { lastUpdated: t2 })]), t2);
    expect(third.decoded).toBe(1);
    expect(third.definitions[0]).toEqual(perpetual('ETH', { lastUpdated: t2 }));
  });

  it('an empty load is an empty buffer', () => {
    expect(new HandoverDecoder().decode(encodeHandover([]), t0)).toEqual({ definitions: [], decoded: 0 });
  });
});
