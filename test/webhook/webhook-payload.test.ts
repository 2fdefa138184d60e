import { describe, expect, it } from 'vitest';
import { InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import { webhookBody } from '../../src/domain/webhook-payload.js';
import { batch } from './support/batches.js';

describe('webhook payload', () => {
  it('is revision, applied time, exchange and the changes as proto3 JSON', () => {
    const updated = batch(2);
    const body: unknown = JSON.parse(webhookBody(updated));
    expect(body).toMatchObject({
      revision: 2,
      appliedTime: '2025-09-26T08:00:02.000Z',
      ccxtExchange: 'binanceusdm',
      changes: [
        {
          changeType: 'CHANGE_TYPE_UPDATED',
          instrumentKey: 'BINANCE-FUTURES:PERPETUAL:BTC/USDT:USDT',
          instrument: { tickSize: '0.5', instrumentType: 'INSTRUMENT_TYPE_PERPETUAL', listingTime: '2019-09-25T08:00:00.000Z' },
          previous: { tickSize: '0.1' },
          changedFields: ['tick_size'],
        },
      ],
    });
    expect(Object.keys(body as object)).toEqual(['revision', 'appliedTime', 'ccxtExchange', 'changes']);
  });

  it('round-trips through the generated fromJSON', () => {
    for (const revision of [1, 2, 3]) {
      const event = batch(revision);
      const { changes } = JSON.parse(webhookBody(event)) as { changes: unknown[] };
      expect(changes.map((c) => InstrumentChange.fromJSON(c))).toEqual(event.changes);
    }
  });
});
