import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';

// okx without the recording's defaultUnderlying asks for an ETH-USD option list that was never
// recorded: the replay exchange answers 404 and CCXT's loadMarkets rejects, every time.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ okx: { ccxt: {} }, dydx: 'fixture' });
  await waitForExchanges(h, ['dydx'], ['okx']);
});
afterAll(() => h.close());

it('an exchange that cannot load is UNAVAILABLE with its reason, and does not take the others down', async () => {
  const error = await h.rpc.getInstrument({ instrumentKey: 'OKX:PERPETUAL:BTC/USDT:USDT' })
    .then(() => undefined, (e: ServiceError) => e);
  expect(error?.code).toBe(status.UNAVAILABLE);
  expect(error?.details).toMatch(/exchange "okx" has not loaded yet \(failed: .*uly=ETH-USD.*next attempt at \d{4}-/);

  const dydx = await h.rpc.getInstrument({ raw: { venue: 'DYDX-V4', exchangeRawSymbol: 'BTC-USD' } });
  expect(dydx.instrument?.instrumentKey).toBe('DYDX-V4:PERPETUAL:BTC/USDC:USDC');
});

it('GetStatus reports the failing exchange with its error while it retries', async () => {
  const first = await waitForExchanges(h, ['dydx'], ['okx']);
  const okx = first.exchanges.find((e) => e.ccxtExchange === 'okx');
  expect(okx?.state).toBe(ExchangeState.EXCHANGE_STATE_FAILED);
  expect(okx?.lastError).toMatch(/404/);
  expect(okx?.venues).toEqual(['OKX']);
  // Retries keep going (backoff 0.2 s → 1 s in this harness): failures keep counting.
  await new Promise((r) => setTimeout(r, 1500));
  const later = await h.rpc.getStatus();
  expect(later.exchanges.find((e) => e.ccxtExchange === 'okx')?.consecutiveFailures).toBeGreaterThan(okx?.consecutiveFailures ?? 0);
});
