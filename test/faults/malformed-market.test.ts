// One malformed market in a real response must not cost the exchange its others. The replay serves
// the real Binance USD-M exchangeInfo with one symbol's filters holding a `null` (which CCXT's own
// binance parser cannot read); the service loads every other market, stays READY, and reports the
// one it could not take in GetStatus rejected_markets and its log. A market it already serves that
// comes back malformed keeps its last definition: one bad entry never makes an instrument vanish.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState } from '../../gen/ts/instruments/v1/instrument_service.js';
import { createExchange } from '../../src/adapters/ccxt/create-exchange.js';
import { loadDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Served } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const URL = 'https://fapi.binance.com/fapi/v1/exchangeInfo';
interface RawSymbol { symbol: string; status: string; contractType: string; filters: unknown[] }
const body = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'binanceusdm', 'fapi_v1_exchangeInfo.json'), 'utf8')) as { symbols: RawSymbol[] };
// A live perpetual, picked from the raw response rather than named.
const victim = body.symbols.find((s) => s.status === 'TRADING' && s.contractType === 'PERPETUAL' && s.filters.length > 0) as RawSymbol;
const malformed = JSON.stringify({ ...body, symbols: body.symbols.map((s) => (s === victim ? { ...s, filters: [null, ...s.filters] } : s)) });

// The recording the malformed body is made from (not the dated one binanceusdm flips to).
const UNDATED = { binanceusdm: join(EXCHANGES_DIR, 'binanceusdm') };
let recorded: RecordedExchanges;
let served: Served;
let recordedCount: number;
let victimKey: string;

beforeAll(async () => {
  recorded = await RecordedExchanges.start({ root: EXCHANGES_DIR });
  // What the unmodified recording loads to, through the same CCXT and conversion.
  const intact = await loadDefinitions(createExchange('binanceusdm', { proxyUrl: recorded.replay.url }, {}));
  recordedCount = intact.definitions.length;
  victimKey = intact.definitions.find((d) => d.exchangeRawSymbol === victim.symbol)?.instrumentKey ?? '';
  recorded.replay.override(URL, { body: malformed });
  served = await launch({ exchanges: UNDATED, recorded });
}, 2 * PATIENCE_MS); // two loads of the 1.1 MB list
afterAll(async () => {
  await served.close();
  await recorded.close();
});

it('loads every other market, stays READY and reports the malformed one', async () => {
  expect(victimKey).not.toBe('');
  const status = await waitForExchanges(served, ['binanceusdm']);
  const usdm = status.exchanges.find((e) => e.ccxtExchange === 'binanceusdm');
  expect(usdm?.state).toBe(ExchangeState.EXCHANGE_STATE_READY);
  expect(usdm?.instrumentCount).toBe(recordedCount - 1);
  expect(usdm?.lastError).toBe('');
  const reasons = Object.entries(usdm?.rejectedMarkets ?? {});
  expect(reasons).toHaveLength(1);
  expect(reasons[0]?.[0]).toMatch(/^conversion failed: CCXT could not parse the market: .*null/);
  expect(reasons[0]?.[1]).toBe(1);

  // The log names the market; the instrument is not served, its neighbours are.
  const entry = await served.logEntry((e) => e.msg === 'markets not converted; the others load', 'the rejected-market warning');
  expect(entry['rejected']).toEqual([{ symbol: victim.symbol, reason: reasons[0]?.[0], failed: true }]);
  await expect(served.rpc.getInstrument({ instrumentKey: victimKey })).rejects.toMatchObject({ code: 5 });
  const other = body.symbols.find((s) => s !== victim && s.status === 'TRADING' && s.contractType === 'PERPETUAL') as RawSymbol;
  const found = await served.rpc.getInstrument({ raw: { venue: 'BINANCE-FUTURES', exchangeRawSymbol: other.symbol } });
  expect(found.instrument?.exchangeRawSymbol).toBe(other.symbol);
});

it('keeps serving a known market that comes back malformed, with no change published', async () => {
  recorded.replay.override(URL, null);
  const again = await launch({ exchanges: UNDATED, recorded, config: { live: { update_interval_seconds: 0.5 } } });
  try {
    await waitForExchanges(again, ['binanceusdm']);
    const before = await again.rpc.getInstrument({ instrumentKey: victimKey });
    recorded.replay.override(URL, { body: malformed });
    const overriddenAt = Date.now();
    // A refresh that started after the override (the first to end after it may have begun before).
    const status = await waitFor(async () => {
      const s = (await again.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'binanceusdm');
      return Object.keys(s?.rejectedMarkets ?? {}).length > 0 && (s?.lastSuccessTime?.getTime() ?? 0) > overriddenAt ? s : notYet(s);
    }, 'a refresh of the malformed response');
    expect(status.instrumentCount).toBe(recordedCount);
    const after = await again.rpc.getInstrument({ instrumentKey: victimKey });
    expect(after.instrument).toEqual(before.instrument);
    expect(after.revision).toBe(before.revision);
  } finally {
    await again.close();
  }
}, 2 * PATIENCE_MS); // two waits
