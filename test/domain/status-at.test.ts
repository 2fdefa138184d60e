import { describe, expect, it } from 'vitest';
import { InstrumentStatus, InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { isExpiredAt, nextExpiry, statusAt } from '../../src/domain/status-at.js';
import { perpetual } from '../support/definitions.js';

const expiry = new Date('2026-03-27T08:00:00Z');
const future = (overrides = {}) => perpetual('BTC', {
  instrumentKey: 'TEST-VENUE:FUTURE:BTC/USDT:USDT-260327', instrumentType: InstrumentType.INSTRUMENT_TYPE_FUTURE, expiry,
  lastUpdated: new Date('2026-01-01T00:00:00Z'), ...overrides,
});
const before = new Date(expiry.getTime() - 1);

describe('statusAt', () => {
  it('before its expiry a contract is as the exchange says: the very same object', () => {
    const d = future();
    expect(statusAt(d, before)).toBe(d);
    expect(isExpiredAt(d, before)).toBe(false);
  });

  it('from its expiry on (inclusive) it is EXPIRED and inactive, only those fields and last_updated changed', () => {
    const d = future();
    const at = statusAt(d, expiry);
    expect(isExpiredAt(d, expiry)).toBe(true);
    expect(at).toEqual({ ...d, status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false, lastUpdated: expiry });
    expect(d.status).toBe(InstrumentStatus.INSTRUMENT_STATUS_TRADING);
  });

  it('is idempotent: applied again, or to one the exchange already calls expired, it changes nothing', () => {
    const once = statusAt(future(), expiry);
    expect(statusAt(once, new Date(expiry.getTime() + 86_400_000))).toBe(once);
    const told = future({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false });
    expect(statusAt(told, expiry)).toBe(told);
  });

  it('a halted contract past expiry becomes EXPIRED too; a later last_updated is kept', () => {
    const later = new Date(expiry.getTime() + 60_000);
    const at = statusAt(future({ status: InstrumentStatus.INSTRUMENT_STATUS_HALTED, active: false, lastUpdated: later }), later);
    expect([at.status, at.active, at.lastUpdated]).toEqual([InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, false, later]);
  });

  it('leaves undated instruments (spot, perpetuals) alone whatever the time', () => {
    const perp = perpetual('BTC');
    expect(statusAt(perp, new Date('2100-01-01T00:00:00Z'))).toBe(perp);
  });
});

describe('nextExpiry', () => {
  it('is the earliest expiry not yet applied, past ones included; undefined when none is pending', () => {
    const later = new Date(expiry.getTime() + 1000);
    const done = statusAt(future({ expiry: new Date(expiry.getTime() - 5000) }), expiry);
    expect(nextExpiry([perpetual('ETH'), future({ expiry: later }), future(), done])).toBe(expiry.getTime());
    expect(nextExpiry([perpetual('ETH'), done])).toBeUndefined();
  });
});
