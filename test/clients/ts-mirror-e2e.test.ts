// InstrumentMirror (clients/ts) against the real server process: after every step it must hold
// exactly what ListInstruments (live view) returns at the same revision — after the first sync,
// after real recording switches, after a forced disconnect (resumed, not re-listed), and after a
// failover to a server behind it (OUT_OF_RANGE, re-listed).
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import type { DeepPartial, InstrumentFilter, InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { InstrumentMirror, type MirrorErrorSource, type WatchClient } from '../../clients/ts/index.js';
import { expectedChanges, PAIRS, projections } from '../e2e/support/expected-changes.js';
import type { Rpc } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { byKey, listAll, startE2eServer, type E2eServer } from './ts-e2e-server.js';

// Derived from the two raw recordings: the newer one lists this perpetual, the older does not; the
// older one lists EOSUSDT, which the newer delisted.
const onlyInNewer = projections('binanceusdm', 'newer').get(expectedChanges('binanceusdm', PAIRS.binanceusdm.newerRecordedAt).added[0] ?? '')?.key ?? '';
const EOS = projections('binanceusdm', 'older').get('EOSUSDT')?.key ?? '';
const PERPETUALS: DeepPartial<InstrumentFilter> = { ccxtExchanges: ['binanceusdm'], instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_PERPETUAL] };

let server: E2eServer;
let behind: E2eServer | undefined;
/** Where the switchable client sends WatchChanges: the first server, later the one behind it. */
let target: InstrumentServiceClient;
const switchable: WatchClient = { watchChanges: (request, metadata) => target.watchChanges(request, metadata) };

const errors: Array<{ source: MirrorErrorSource; error: Error }> = [];
/** The revision of every snapshot `everything` applied, in order. */
const snapshots: number[] = [];
const changedRevisions: number[] = [];
let everything: InstrumentMirror;
/** Filtered, and its onChange always throws: it must keep up regardless. */
let perpetuals: InstrumentMirror;

beforeAll(async () => {
  server = await startE2eServer();
  target = server.client;
  everything = new InstrumentMirror(switchable, {
    onChange: (_batch, revision) => { changedRevisions.push(revision); },
    onSnapshot: (revision) => { snapshots.push(revision); },
    onError: (error, source) => errors.push({ source, error }),
    backoff: { initialMs: 20, maxMs: 200 },
  }).start();
  perpetuals = new InstrumentMirror(server.client, {
    filter: PERPETUALS,
    onChange: () => { throw new Error('a bug in the caller'); },
    onError: (error, source) => errors.push({ source, error }),
    backoff: { initialMs: 20, maxMs: 200 },
  }).start();
});

afterAll(async () => {
  everything?.close();
  perpetuals?.close();
  if (behind !== undefined) expect(await behind.stop()).toBe(0);
  if (server !== undefined) expect(await server.stop()).toBe(0);
});

/** The mirror holds exactly the live list at the list's revision. */
async function expectMirrors(mirror: InstrumentMirror, rpc: Rpc, filter: DeepPartial<InstrumentFilter> = {}): Promise<number> {
  const list = await listAll(rpc, filter);
  await mirror.waitForRevision(list.revision, PATIENCE_MS);
  expect(mirror.revision).toBe(list.revision);
  expect(mirror.size).toBe(list.instruments.length);
  expect(mirror.all().sort(byKey)).toEqual(list.instruments);
  return list.revision;
}

const callbackErrors = (): number => errors.filter((e) => e.source === 'callback' && e.error.message === 'a bug in the caller').length;

describe('InstrumentMirror against the e2e server', () => {
  it('after the first sync equals ListInstruments, and answers lookups as GetInstrument does', async () => {
    await Promise.all([everything.waitSynced(PATIENCE_MS), perpetuals.waitSynced(PATIENCE_MS)]);
    await expectMirrors(everything, server.rpc);
    await expectMirrors(perpetuals, server.rpc, PERPETUALS);
    const btc = (await server.rpc.getInstrument({ ccxt: { ccxtExchange: 'binanceusdm', ccxtSymbol: 'BTC/USDT:USDT' } })).instrument;
    expect(everything.byCcxt('binanceusdm', 'BTC/USDT:USDT')).toEqual(btc);
    expect(everything.byRaw('BINANCE-FUTURES', 'BTCUSDT')).toEqual(btc);
    expect(everything.get(btc?.instrumentKey ?? '')).toEqual(btc);
    expect(everything.get(EOS)).toBeUndefined();
    expect(everything.get(onlyInNewer)).toBeDefined();
    expect(everything.stalenessMs).toBeLessThan(Number.POSITIVE_INFINITY);
    expect(everything.counters).toMatchObject({ streams: 1, snapshots: 1, resumes: 0 });
  }, 3 * PATIENCE_MS); // three waits: the first syncs, then each mirror reaching the list's revision

  it('follows a switch to the older recording and back', async () => {
    const older = await server.command('use older');
    expect(await expectMirrors(everything, server.rpc)).toBe(older.revision);
    await expectMirrors(perpetuals, server.rpc, PERPETUALS);
    expect(everything.get(onlyInNewer)).toBeUndefined();
    expect(everything.byRaw('BINANCE-FUTURES', 'EOSUSDT')?.instrumentKey).toBe(EOS);
    expect(changedRevisions.at(-1)).toBe(older.revision);
    // Every batch reached the throwing callback, each throw was reported, none stopped the mirror.
    expect(callbackErrors()).toBe(perpetuals.counters.batches);
    expect(perpetuals.counters.batches).toBeGreaterThan(0);

    const newer = await server.command('use newer');
    expect(await expectMirrors(everything, server.rpc)).toBe(newer.revision);
    await expectMirrors(perpetuals, server.rpc, PERPETUALS);
    expect(everything.get(EOS)).toBeUndefined();
    expect(everything.counters).toMatchObject({ streams: 1, snapshots: 1 });
  }, 6 * PATIENCE_MS); // six waits: per switch, its answer and each mirror following it

  it('resumes after a forced disconnect from its last revision, without a new snapshot', async () => {
    const before = everything.counters;
    const streamErrors = errors.filter((e) => e.source === 'stream').length;
    const cut = await server.command('disconnect');
    expect(cut.watchers).toBe(2);
    // The change happens while the mirrors reconnect: they must get it from the resumed stream.
    const older = await server.command('use older');
    expect(await expectMirrors(everything, server.rpc)).toBe(older.revision);
    await expectMirrors(perpetuals, server.rpc, PERPETUALS);
    expect(everything.counters).toMatchObject({ snapshots: before.snapshots, resumes: before.resumes + 1, streams: before.streams + 1, relists: 0 });
    expect(perpetuals.counters).toMatchObject({ snapshots: 1, resumes: 1 });
    const ended = errors.filter((e) => e.source === 'stream').slice(streamErrors).map((e) => e.error as ServiceError);
    expect(ended.map((e) => e.code)).toEqual([status.UNAVAILABLE, status.UNAVAILABLE]);
    expect(ended[0]?.details).toMatch(/^test: forced disconnect; reconnect and resume with start_revision/);
  }, 4 * PATIENCE_MS); // four waits: the disconnect, the switch, each mirror following it

  it('re-lists when it resumes against a server behind it (OUT_OF_RANGE), replacing its state', async () => {
    behind = await startE2eServer();
    const behindRevision = (await behind.command('revision')).revision ?? 0;
    expect(everything.revision).toBeGreaterThan(behindRevision);
    const before = everything.counters;
    const resumedFrom = everything.revision;
    target = behind.client;
    const snapshotsBefore = snapshots.length;
    await server.command('disconnect');
    const relisted = await waitFor(() => snapshots.length > snapshotsBefore ? snapshots.slice(snapshotsBefore) : notYet(everything.counters), 'the mirror to re-list from the server behind');
    expect(relisted).toEqual([behindRevision]);
    // The server behind serves the newer recording again; the mirror followed it down.
    expect(await expectMirrors(everything, behind.rpc)).toBe(behindRevision);
    expect(everything.get(onlyInNewer)).toBeDefined();
    expect(everything.counters).toMatchObject({ relists: before.relists + 1, snapshots: before.snapshots + 1, resumes: before.resumes + 1 });
    const outOfRange = errors.filter((e) => e.source === 'stream').map((e) => e.error as ServiceError).find((e) => e.code === status.OUT_OF_RANGE);
    expect(outOfRange?.details).toMatch(new RegExp(`^start_revision ${resumedFrom} is ahead of this server's revision ${behindRevision}`));
  }, 5 * PATIENCE_MS); // five waits: the second server's start, two commands, the re-list, the mirror following it

  it('stops on INVALID_ARGUMENT (a venue the server does not serve) with the server message, without retrying', async () => {
    const mirror = new InstrumentMirror(server.client, { filter: { venues: ['NOPE'] }, backoff: { initialMs: 1, maxMs: 1 } }).start();
    const synced = mirror.waitSynced();
    const error = (await mirror.failed) as ServiceError;
    expect(error.code).toBe(status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/^filter\.venues has "NOPE", not served here; accepted: /);
    await expect(synced).rejects.toBe(error);
    expect(mirror.counters.streams).toBe(1);
    expect(mirror.synced).toBe(false);
  });
});
