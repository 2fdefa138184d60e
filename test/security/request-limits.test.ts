import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../../src/app/config.js';
import { call, startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';
import { BatchGetInstrumentsRequest, GetInstrumentRequest } from '../../gen/ts/instruments/v1/instrument_service.js';

// Requests are small (the largest valid one, BatchGetInstruments with 1,000 keys, is under
// 100 KB), so the server refuses bigger messages before decoding them, and oversized metadata
// at the HTTP/2 layer; neither costs the server its health.

const KEY = 'DYDX-V4:PERPETUAL:BTC/USDC:USDC';
let h: Harness;
let small: Harness;

beforeAll(async () => {
  h = await startHarness({ dydx: 'fixture' });
  small = await startHarness({ dydx: 'fixture' }, { maxRequestBytes: 4096 });
  await waitForExchanges(h, ['dydx']);
});
afterAll(async () => {
  await h?.close();
  await small?.close();
});

const failure = (p: Promise<unknown>): Promise<ServiceError> => p.then(() => { throw new Error('expected a failure'); }, (e: ServiceError) => e);

describe('request size', () => {
  it('defaults to 1 MiB, well above the largest valid request', async () => {
    expect(DEFAULT_CONFIG.maxRequestBytes).toBe(1024 * 1024);
    const keys = Array.from({ length: 1000 }, (_, i) => `BINANCE-FUTURES:PERPETUAL:COIN${i}/USDT:USDT-${'x'.repeat(40)}`);
    // The documented figure: 1,000 keys longer than real ones encode to under 100 KB.
    expect(BatchGetInstrumentsRequest.encode(BatchGetInstrumentsRequest.fromPartial({ instrumentKeys: keys })).finish().length).toBe(85_890);
    const answer = await h.rpc.batchGetInstruments({ instrumentKeys: keys });
    expect(answer.notFoundKeys).toHaveLength(1000);
  });

  it('a request over the limit is RESOURCE_EXHAUSTED naming both sizes; the server goes on serving', async () => {
    const error = await failure(h.rpc.getInstrument({ instrumentKey: 'A'.repeat(1024 * 1024) }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/larger than max \(\d+ vs 1048576\)/);
    expect((await h.rpc.getInstrument({ instrumentKey: KEY })).instrument?.instrumentKey).toBe(KEY);
  });

  it('server.max_request_bytes sets the limit', async () => {
    const keys = (n: number): string[] => Array.from({ length: n }, (_, i) => `${KEY}-${i}`);
    expect((await small.rpc.batchGetInstruments({ instrumentKeys: keys(50) })).notFoundKeys).toHaveLength(50);
    const error = await failure(small.rpc.batchGetInstruments({ instrumentKeys: keys(200) }));
    expect(error.code).toBe(status.RESOURCE_EXHAUSTED);
    expect(error.details).toMatch(/vs 4096\)/);
  });
});

describe('metadata size', () => {
  it('metadata beyond the HTTP/2 header list limit fails the call, not the server', async () => {
    const metadata = new Metadata();
    metadata.set('x-padding', 'p'.repeat(200 * 1024));
    const error = await failure(call((r: GetInstrumentRequest, cb) => h.client.getInstrument(r, metadata, cb), GetInstrumentRequest.fromPartial({ instrumentKey: KEY })));
    expect(error.code).not.toBe(status.OK);
    expect((await h.rpc.getInstrument({ instrumentKey: KEY })).instrument?.instrumentKey).toBe(KEY);
  });
});
