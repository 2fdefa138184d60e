// Soak: the real server (built CLI `serve`, child process) under 200 watchers, sustained lookups,
// refreshes with real changes every few seconds (replay recordings flipped) and random watcher
// disconnects and resumes. At the end every watcher's mirror must equal ListInstruments at the
// same revision, no stream may have ended with an error the test did not cause (OUT_OF_RANGE
// only where a resume point was compacted away), and the server's RSS must be flat after warm-up.
//
// Short form (CI): `npx vitest run test/soak` (SOAK_SECONDS=45). Long form: `npm run soak`
// (SOAK_SECONDS=600), or SOAK_SECONDS=300 npx vitest run test/soak. SOAK_WATCHERS sets the
// number of watchers (200), SOAK_SEED the random seed.
import { credentials } from '@grpc/grpc-js';
import { expect, it } from 'vitest';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ExchangeState, InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { rpcOf } from '../support/service-harness.js';
import { DisconnectChaos } from './disconnect-chaos.js';
import { listAtOneRevision, mirrorDiff, type Listing } from './list-at-revision.js';
import { LookupLoad } from './lookup-load.js';
import { MirrorWatcher } from './mirror-watcher.js';
import { Problems, Tally } from './problems.js';
import { ReferenceLog } from './reference-log.js';
import { rssFigures, RssSampler } from './rss-sampler.js';
import { SOAK_FILTERS, type SoakFilter } from './soak-filters.js';
import { errorLogs, metric, RECORDINGS, startSoakServer } from './soak-server.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const SOAK_SECONDS = Number(process.env.SOAK_SECONDS ?? 45);
const WATCHERS = Number(process.env.SOAK_WATCHERS ?? 200);
const UPDATE_INTERVAL_SECONDS = 1.5;
/** One changing exchange is flipped this often, the two in turn: each every 5 s, ≥ 3 refreshes apart. */
const FLIP_EVERY_MS = 2500;
/** Small, so that a watcher away for a while finds its resume point compacted. */
const HISTORY_BATCHES = 4;
const CHANNELS = 8;
const LOOKUP_CONCURRENCY = 4;

let seed = Number(process.env.SOAK_SEED ?? 0x50a4);
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

/** Waits for `condition`; `detail` says where things stand when it never holds. */
function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = PATIENCE_MS, detail = (): string => ''): Promise<unknown> {
  return waitFor(async () => ((await condition()) ? true : notYet(detail())), what, { timeoutMs });
}

it(`soak: ${WATCHERS} watchers, lookups, real changes and disconnects for ${SOAK_SECONDS} s; mirrors equal the list, RSS flat`, async () => {
  const started = Date.now();
  const server = await startSoakServer({ updateIntervalSeconds: UPDATE_INTERVAL_SECONDS, historyBatches: HISTORY_BATCHES, progressIntervalSeconds: 1 });
  const rss = new RssSampler(server.cli.child.pid as number, server.cli.httpPort === undefined ? undefined : `http://127.0.0.1:${server.cli.httpPort}/metrics`);
  const problems = new Problems();
  const tally = new Tally();
  // Separate connections (a local subchannel pool each), so watchers do not all share one socket.
  const channels = Array.from({ length: CHANNELS + 1 }, () => new InstrumentServiceClient(server.address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 }));
  const rpc = rpcOf(channels[CHANNELS] as InstrumentServiceClient);
  const watchers: MirrorWatcher[] = [];
  const log = new ReferenceLog();
  const reference = new MirrorWatcher(-1, channels[0] as InstrumentServiceClient, SOAK_FILTERS[0] as SoakFilter, problems, new Tally(), (r, c) => log.record(r, c));
  try {
    await until('every exchange loaded', async () => (await rpc.getStatus()).exchanges.every((e) => e.state === ExchangeState.EXCHANGE_STATE_READY));
    reference.connect('snapshot');
    await until('the reference snapshot', () => reference.state === 'live');
    log.from = reference.revision;
    for (let i = 0; i < WATCHERS; i++) {
      const w = new MirrorWatcher(i, channels[i % CHANNELS] as InstrumentServiceClient, SOAK_FILTERS[i % SOAK_FILTERS.length] as SoakFilter, problems, tally);
      watchers.push(w);
      w.connect('snapshot');
    }
    await until('every watcher live', () => watchers.every((w) => w.state === 'live'), PATIENCE_MS, () => `${watchers.filter((w) => w.state !== 'live').length} not live`);
    const setupSeconds = Math.round((Date.now() - started) / 1000);

    // The soak: flips, disconnects and lookups side by side for SOAK_SECONDS.
    const soakFrom = rss.now();
    let pool: InstrumentDefinition[] = [];
    let poolRevision = -1;
    const lookups = new LookupLoad(rpc, () => {
      if (poolRevision !== reference.revision) [pool, poolRevision] = [[...reference.mirror.values()], reference.revision];
      return pool[Math.floor(random() * pool.length)] as InstrumentDefinition;
    }, (revision) => (reference.revision === revision && reference.state === 'live' ? reference.mirror : undefined), problems, random);
    const chaos = new DisconnectChaos(watchers, log, random, { everyMs: 200, historyBatches: HISTORY_BATCHES, maxLongAway: 4 });
    const changing = Object.keys(RECORDINGS);
    const flipper = setInterval(() => void server.flip(changing[server.flips % changing.length] as string), FLIP_EVERY_MS);
    chaos.start();
    lookups.start(LOOKUP_CONCURRENCY);
    // The soak's length is its input: flips, disconnects and lookups run for SOAK_SECONDS.
    await new Promise((r) => setTimeout(r, SOAK_SECONDS * 1000));
    clearInterval(flipper);
    chaos.stop();
    await lookups.stop();
    const soakTo = rss.now();
    const stoppedAt = Date.now();

    // Settle: every exchange refreshed on its final recording with nothing held. A refresh that
    // succeeded after the stop may have started before the last flip; the one after it started
    // later, so once each exchange has two, nothing further can change (the recordings hold still).
    const firstAfterStop = new Map<string, number>();
    await until('every exchange refreshed twice since the flips stopped, nothing held', async () => {
      const status = await rpc.getStatus();
      return status.exchanges.every((e) => {
        const at = e.lastSuccessTime?.getTime() ?? 0;
        if (at <= stoppedAt) return false;
        const first = firstAfterStop.get(e.ccxtExchange) ?? at;
        firstAfterStop.set(e.ccxtExchange, first);
        return at > first && e.heldReason === '';
      });
    }, PATIENCE_MS, () => JSON.stringify([...firstAfterStop]));
    const lagging = (ok: (w: MirrorWatcher) => boolean) => (): string => JSON.stringify([reference, ...watchers].filter((w) => !ok(w)).slice(0, 5).map((w) => ({ id: w.id, state: w.state, revision: w.revision })));
    const live = (w: MirrorWatcher): boolean => w.state === 'live';
    await until('every watcher live again', () => watchers.every(live), PATIENCE_MS, lagging(live));

    // The list at one revision R, per filter; then every mirror at R, compared field for field.
    let listings: Map<string, Listing> | undefined;
    let finalRevision = 0;
    for (let attempt = 0; attempt < 5 && listings === undefined; attempt++) {
      const read = new Map<string, Listing>();
      for (const f of SOAK_FILTERS) {
        const listing = await listAtOneRevision(rpc, f);
        if (listing !== undefined) read.set(f.name, listing);
      }
      const revisions = new Set([...read.values()].map((l) => l.revision));
      if (read.size !== SOAK_FILTERS.length || revisions.size !== 1) continue;
      finalRevision = [...revisions][0] as number;
      const reached = (w: MirrorWatcher): boolean => w.revision >= finalRevision;
      await until(`every mirror at revision ${finalRevision}`, () => [reference, ...watchers].every(reached), PATIENCE_MS, lagging(reached));
      if ([reference, ...watchers].every((w) => w.revision === finalRevision)) listings = read;
    }
    if (listings === undefined) throw new Error('the service never held still long enough to list it at one revision');
    let mirrorsCompared = 0;
    for (const w of [reference, ...watchers]) {
      const diff = mirrorDiff(w, listings.get(w.filter.name) as Listing);
      if (diff !== undefined) problems.add(diff);
      mirrorsCompared++;
    }

    // No batch that concerned a filtered watcher was skipped; long disconnects were refused; a
    // lookup missed only an instrument some refresh removed.
    let stepsChecked = 0;
    for (const w of watchers) stepsChecked += log.verify(w, problems);
    chaos.checkLongResumes(problems);
    const badMisses = lookups.misses.filter((m) => !log.volatileKeys.has(m.key));
    for (const m of badMisses.slice(0, 5)) problems.add(`${m.rpc}: NOT_FOUND for ${m.key}, which no refresh removed`);
    for (const line of errorLogs(server.cli).slice(0, 5)) problems.add(`server logged: ${line}`);

    // Every stream the test cancelled was let go of by the server: it holds exactly the watches
    // still open, and none once those are cancelled too (the server hears of a cancel a moment later).
    const openWatches = (): Promise<number | undefined> => metric(server.cli, 'instruments_watchers_connected');
    let open = await openWatches();
    await until(`${WATCHERS + 1} open watches on the server`, async () => (open = await openWatches()) === WATCHERS + 1).catch(() => problems.add(`server counts ${open} open watches, ${WATCHERS + 1} are open`));
    const openBeforeCancel = open;
    // How streams ended during the soak, before the test's own final cancels.
    const streamEnds = Object.fromEntries(Object.entries(tally.toJSON()).filter(([k]) => k.startsWith('ended')));
    reference.cancel();
    for (const w of watchers) w.cancel();
    await until('no open watch on the server', async () => (open = await openWatches()) === 0).catch(() => problems.add(`server counts ${open} open watches after every one was cancelled`));

    rss.stop();
    const figures = rssFigures(rss.samples, soakFrom, soakTo);
    const round = (x: number): number => Math.round(x * 10) / 10;
    console.info(`soak summary ${JSON.stringify({
      soakSeconds: SOAK_SECONDS, setupSeconds, totalSeconds: Math.round((Date.now() - started) / 1000), watchers: WATCHERS,
      flips: server.flips, finalRevision, batchesInSoak: log.lastRevision - log.from,
      disconnects: chaos.kinds.toJSON(), watchStarts: { snapshot: tally.get('snapshot'), resume: tally.get('resume') },
      streamEnds,
      batchesApplied: tally.get('batches applied'), changesDelivered: tally.get('changes delivered'),
      lookupsServed: lookups.served.toJSON(), lookupErrors: lookups.errors.toJSON(), misses: { total: lookups.misses.length, ofRemovedKeys: lookups.misses.length - badMisses.length },
      mirrorsCompared, stepsChecked, openWatches: { beforeCancellingAll: openBeforeCancel, after: open }, problems: problems.count,
      rssMb: {
        start: round(figures.startMb), afterWarmUp: round(figures.afterWarmUpMb), end: round(figures.endMb), max: round(figures.maxMb),
        slopeMbPerMin: round(figures.slopeMbPerMin), samples: figures.samples, tenths: figures.tenthsMb.map(Math.round),
        heapUsedTenths: figures.heapTenthsMb.map(Math.round), externalTenths: figures.externalTenthsMb.map(Math.round),
      },
    }, null, 1)}`);

    expect(problems.samples).toEqual([]);
    expect(problems.count).toBe(0);
    expect(lookups.errors.total).toBe(0);
    // The soak did what it is for: real changes reached the watchers, disconnects happened.
    expect(log.lastRevision - log.from).toBeGreaterThanOrEqual(Math.floor(SOAK_SECONDS / 10));
    expect(chaos.kinds.total).toBeGreaterThan(SOAK_SECONDS);
    // Flat after warm-up: the last quarter's mean against the second quarter's. Measured on the
    // 2-core machine: from a fresh start RSS climbs for about 90 s of this load (by 150-200 MB,
    // mostly outside the main thread's heap and Buffers, which level off near 50-65 MB each), then
    // holds within about ±40 MB (600 s soak, mean by tenth: 528 597 592 598 580 597 595 591 636
    // 590 MB). A soak of 4 minutes or more leaves that climb in its skipped first quarter, so the
    // bound is tight: within 15 % and 60 MB. The short form's window still lies in the climb
    // (from -67 to +121 MB between its second and last quarters in five 45 s runs), so it only
    // catches a gross leak: within 50 % and 200 MB. Streams the server fails to let go of are
    // caught exactly, whatever the duration, by the open-watch count above.
    const [ratio, mb] = SOAK_SECONDS >= 240 ? [1.15, 60] : [1.5, 200];
    expect(figures.endMb).toBeLessThan(figures.afterWarmUpMb * ratio);
    expect(figures.endMb - figures.afterWarmUpMb).toBeLessThan(mb);
  } finally {
    rss.stop();
    reference.cancel();
    for (const w of watchers) w.cancel();
    for (const c of channels) c.close();
    await server.close();
  }
}, SOAK_SECONDS * 1000 + 10 * PATIENCE_MS); // the soak, then a failure detector for its ten waits
