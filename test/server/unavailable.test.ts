import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';
import { notYet, waitFor } from '../support/wait-for.js';

// okx without the recording's defaultUnderlying asks for an ETH-USD option list that was never
// recorded: the replay exchange answers 404 and CCXT's loadMarkets rejects, every time.
let h: Harness;
beforeAll(async () => {
  h = await startHarness({ okx: { ccxt: {} }, dydx: 'fixture' });
  await waitForExchanges(h, ['dydx'], ['okx']);
});
afterAll(() => h.close());

it('an exchange that cannot load is UNAVAILABLE with its reason, and does not take the others down', async () => {
  // Between two attempts the answer also says when the next one is; during one (long, on a busy
  // machine) there is no next yet. Wait for an answer given between attempts, accepting meanwhile
  // only the same answer without the time: anything else ends the wait and fails below.
  const error = await waitFor(async () => {
    const e = await h.rpc.getInstrument({ instrumentKey: 'OKX:PERPETUAL:BTC/USDT:USDT' })
      .then(() => ({ code: status.OK, details: 'answered' }), (x: ServiceError) => ({ code: x.code, details: x.details }));
    const midAttempt = e.code === status.UNAVAILABLE && /exchange "okx" has not loaded yet \(failed: .*uly=ETH-USD.*\)$/.test(e.details) &&
      !e.details.includes('; next attempt at ');
    return midAttempt ? notYet(e.details) : e;
  }, 'an answer between two of okx\'s attempts');
  expect(error.code).toBe(status.UNAVAILABLE);
  expect(error.details).toMatch(/exchange "okx" has not loaded yet \(failed: .*uly=ETH-USD.*next attempt at \d{4}-/);

  const dydx = await h.rpc.getInstrument({ raw: { venue: 'DYDX-V4', exchangeRawSymbol: 'BTC-USD' } });
  expect(dydx.instrument?.instrumentKey).toBe('DYDX-V4:PERPETUAL:BTC/USDC:USDC');
});

it('GetStatus reports the failing exchange with its error while it retries', async () => {
  const first = await waitForExchanges(h, ['dydx'], ['okx']);
  const okx = first.exchanges.find((e) => e.ccxtExchange === 'okx');
  expect(okx?.state).toBe(ExchangeState.EXCHANGE_STATE_FAILED);
  expect(okx?.lastError).toMatch(/404/);
  expect(okx?.venues).toEqual(['OKX']);
  // Retries keep going (backoff 0.2 s → 1 s in this harness): the next failed attempt counts.
  const failures = okx?.consecutiveFailures ?? 0;
  const later = await waitFor(async () => {
    const now = (await h.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'okx');
    return (now?.consecutiveFailures ?? 0) > failures ? now : notYet(now);
  }, `okx's next failed attempt (after ${failures})`);
  expect(later.state).toBe(ExchangeState.EXCHANGE_STATE_FAILED);
  expect(later.lastError).toMatch(/404/);
});
