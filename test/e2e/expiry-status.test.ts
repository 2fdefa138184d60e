// Status by the clock on the real path: the recorded Deribit set (November 2025) served today,
// through the replay exchange and real CCXT. Every dated contract past its expiry, by the raw
// expiration_timestamp, is EXPIRED and inactive although the recording lists it as active; and
// one contract whose expiration the replay moves to a few seconds after start turns EXPIRED at
// that moment, as exactly one UPDATED change to a connected watcher, not repeated by a refresh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InstrumentStatus, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, SourceView, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Served } from '../support/service-harness.js';
import { watch, type Watch } from '../support/store-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const URL = 'https://www.deribit.com/api/v2/public/get_instruments';
interface RawInstrument { instrument_name: string; kind: string; is_active: boolean; expiration_timestamp: number }
const recording = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'deribit', 'get_instruments.json'), 'utf8')) as { result: RawInstrument[] };
// The contract made to expire: the recording's first future, with only its expiration moved.
const moved = recording.result.find((r) => r.kind === 'future' && r.is_active) as RawInstrument;
// Long enough for the first load of ~5,000 instruments on a busy machine; checked below.
const EXPIRES_IN_MS = 12_000;
const INTERVAL_SECONDS = 2;

let served: Served;
let watcher: Watch;
let expiresAt: number;
beforeAll(async () => {
  const recorded = await RecordedExchanges.start();
  expiresAt = Date.now() + EXPIRES_IN_MS;
  const body = { ...recording, result: recording.result.map((r) => r === moved ? { ...r, expiration_timestamp: expiresAt } : r) };
  recorded.replay.override(URL, { body: JSON.stringify(body) });
  served = await launch({ exchanges: ['deribit'], recorded, config: { live: { update_interval_seconds: INTERVAL_SECONDS } } });
  // The harness closes only the replays it started itself.
  const close = served.close.bind(served);
  served.close = async () => { const code = await close(); await recorded.close(); return code; };
  await waitForExchanges(served, ['deribit']);
  watcher = watch(served.client, {});
  await watcher.next(1, PATIENCE_MS);
}, 2 * PATIENCE_MS);
afterAll(() => served?.close());

async function listDeribit(): Promise<InstrumentDefinition[]> {
  const all: InstrumentDefinition[] = [];
  let pageToken = '';
  do {
    const page = await served.rpc.listInstruments({ filter: { venues: ['DERIBIT'] }, pageSize: 1000, pageToken, view: SourceView.SOURCE_VIEW_LIVE });
    all.push(...page.instruments);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return all;
}

const changesOf = (key: string): InstrumentChange[] => watcher.messages.flatMap((m) => m.changes?.changes ?? []).filter((c) => c.instrumentKey === key);

it('serves no Deribit contract past its raw expiration as TRADING or active', async () => {
  const now = Date.now();
  const raw = new Map(recording.result.map((r) => [r.instrument_name, r]));
  const served = await listDeribit();
  let expired = 0;
  for (const d of served) {
    const r = raw.get(d.exchangeRawSymbol);
    if (r === undefined || r.kind === 'spot') continue;
    const expiration = r === moved ? expiresAt : r.expiration_timestamp;
    if (expiration > now) continue;
    expired++;
    expect([d.exchangeRawSymbol, d.status, d.active]).toEqual([d.exchangeRawSymbol, InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, false]);
  }
  // The recording is a year old: nearly all of its dated contracts are past.
  expect(expired).toBeGreaterThan(4000);
});

it('a contract expiring while a watcher is connected: one UPDATED (active, status) at its expiry, none again after a refresh', async () => {
  const contract = (await listDeribit()).find((d) => d.exchangeRawSymbol === moved.instrument_name) as InstrumentDefinition;
  expect(contract.expiry?.getTime()).toBe(expiresAt);
  if (Date.now() >= expiresAt) throw new Error(`the service became ready after the moved expiry (${EXPIRES_IN_MS} ms after start): raise EXPIRES_IN_MS`);
  expect([contract.status, contract.active]).toEqual([InstrumentStatus.INSTRUMENT_STATUS_TRADING, true]);

  const [change] = await waitFor(() => {
    const seen = changesOf(contract.instrumentKey);
    return seen.length > 0 ? seen : notYet(seen);
  }, `the change of ${contract.instrumentKey} at its expiry`, { timeoutMs: EXPIRES_IN_MS + PATIENCE_MS });
  const batch = watcher.messages.find((m) => m.changes?.changes.some((c) => c.instrumentKey === contract.instrumentKey));
  expect(batch?.changes?.appliedTime?.getTime()).toBeGreaterThanOrEqual(expiresAt);
  expect(change).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_UPDATED, changedFields: ['active', 'status'] });
  expect(change?.instrument).toMatchObject({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false });

  // A refresh after it brings the same (still listed, still "active") contract: nothing more.
  const after = Date.now();
  await waitFor(async () => {
    const status = (await served.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'deribit');
    const last = status?.lastSuccessTime?.getTime() ?? 0;
    return last > after ? last : notYet(status?.lastSuccessTime);
  }, 'a Deribit refresh after the expiry');
  expect(changesOf(contract.instrumentKey)).toHaveLength(1);
  expect(watcher.messages.filter((m) => m.changes !== undefined)).toHaveLength(1);
}, 3 * PATIENCE_MS);
