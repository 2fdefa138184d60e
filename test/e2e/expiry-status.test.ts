// Status by the clock on the real path: the recorded Deribit set (November 2025) served today,
// through the replay exchange and real CCXT. Every dated contract past its expiry, by the raw
// expiration_timestamp, is EXPIRED and inactive although the recording lists it as active; and
// one contract whose expiration the replay moves a few seconds ahead turns EXPIRED at that
// moment, as exactly one UPDATED change to a connected watcher, not repeated by a refresh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InstrumentStatus, InstrumentType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, SourceView, type InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Served } from '../support/service-harness.js';
import { watch } from '../support/store-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const URL = 'https://www.deribit.com/api/v2/public/get_instruments';
interface RawInstrument { instrument_name: string; kind: string; is_active: boolean; expiration_timestamp: number }
const recording = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'deribit', 'get_instruments.json'), 'utf8')) as { result: RawInstrument[] };
// The contracts an attempt may move: the recording's futures, with only their expiration moved.
const futures = recording.result.filter((r) => r.kind === 'future' && r.is_active);
const INTERVAL_SECONDS = 2;

let recorded: RecordedExchanges;
let served: Served;
beforeAll(async () => {
  recorded = await RecordedExchanges.start();
  served = await launch({ exchanges: ['deribit'], recorded, config: { live: { update_interval_seconds: INTERVAL_SECONDS } } });
  await waitForExchanges(served, ['deribit']);
}, 2 * PATIENCE_MS);
afterAll(async () => {
  await served?.close();
  await recorded?.close();
});

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

/** Resolves once `count` Deribit refreshes have succeeded after now (the last of them started after now). */
async function refreshesAfter(count: number): Promise<void> {
  let since = Date.now();
  for (let i = 0; i < count; i++) {
    since = await waitFor(async () => {
      const last = (await served.rpc.getStatus()).exchanges.find((e) => e.ccxtExchange === 'deribit')?.lastSuccessTime?.getTime() ?? 0;
      return last > since ? last : notYet(last);
    }, `Deribit refresh ${i + 1} of ${count}`);
  }
}

it('serves no Deribit contract past its raw expiration as TRADING or active', async () => {
  const now = Date.now();
  const raw = new Map(recording.result.map((r) => [r.instrument_name, r]));
  let expired = 0;
  for (const d of await listDeribit()) {
    const r = raw.get(d.exchangeRawSymbol);
    if (r === undefined || r.kind === 'spot' || r.expiration_timestamp > now) continue;
    expired++;
    expect([d.exchangeRawSymbol, d.status, d.active]).toEqual([d.exchangeRawSymbol, InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, false]);
  }
  // The recording is a year old: nearly all of its dated contracts are past.
  expect(expired).toBeGreaterThan(4000);
});

it('a contract expiring while a watcher is connected: one UPDATED (active, status) at its expiry, none again after refreshes', async () => {
  // The replay moves one future's expiration `leadMs` ahead; the change comes only if a refresh
  // serves the moved contract before that moment. On a machine too slow for that lead the attempt
  // says so and the next one doubles it (a new contract each time): no guess of the machine's speed.
  for (let attempt = 0, leadMs = 3000; attempt < 5; attempt++, leadMs *= 2) {
    const moved = futures[attempt] as RawInstrument;
    // Its key names its expiry date, so the moved contract is a new key: watch the venue's futures.
    const watcher = watch(served.client, { filter: { venues: ['DERIBIT'], instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_FUTURE] } });
    await watcher.next(1, PATIENCE_MS); // its start (progress)
    const expiresAt = Date.now() + leadMs;
    recorded.replay.override(URL, { body: JSON.stringify({ ...recording, result: recording.result.map((r) => (r === moved ? { ...r, expiration_timestamp: expiresAt } : r)) }) });
    const loaded = await waitFor(async () => {
      const d = (await served.rpc.getInstrument({ raw: { venue: 'DERIBIT', exchangeRawSymbol: moved.instrument_name }, view: SourceView.SOURCE_VIEW_LIVE }).catch(() => undefined))?.instrument;
      return d?.expiry?.getTime() === expiresAt ? d : notYet(d?.expiry);
    }, `${moved.instrument_name} served with its moved expiry`);
    const key = loaded.instrumentKey;
    if (loaded.status === InstrumentStatus.INSTRUMENT_STATUS_EXPIRED) {
      console.info(`expiry-status: attempt ${attempt + 1}: ${key} was first served after its moved expiry (lead ${leadMs} ms); doubling the lead`);
      watcher.stream.cancel();
      continue;
    }
    const changes = (): InstrumentChange[] => watcher.messages.flatMap((m) => m.changes?.changes ?? []).filter((c) => c.instrumentKey === key);
    const atExpiry = (): InstrumentChange[] => changes().filter((c) => c.instrument?.status === InstrumentStatus.INSTRUMENT_STATUS_EXPIRED);
    const [change] = await waitFor(() => (atExpiry().length > 0 ? atExpiry() : notYet(changes())), `the change of ${key} at its expiry`, { timeoutMs: leadMs + PATIENCE_MS });
    const batch = watcher.messages.find((m) => m.changes?.changes.includes(change as InstrumentChange));
    expect(batch?.changes?.appliedTime?.getTime()).toBeGreaterThanOrEqual(expiresAt);
    expect(change).toMatchObject({ changeType: ChangeType.CHANGE_TYPE_UPDATED, changedFields: ['active', 'status'] });
    expect(change?.instrument).toMatchObject({ status: InstrumentStatus.INSTRUMENT_STATUS_EXPIRED, active: false });
    // Refreshes after it bring the same (still listed, still "active") contract: nothing more.
    const before = changes().length;
    await refreshesAfter(2);
    expect(changes()).toHaveLength(before);
    expect(atExpiry()).toHaveLength(1);
    watcher.stream.cancel();
    return;
  }
  throw new Error('no attempt served the moved contract before its expiry, even with a 48 s lead');
}, 6 * PATIENCE_MS); // a failure detector: each attempt waits for a load, the tick and two refreshes
