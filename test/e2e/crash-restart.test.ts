// SIGKILL the real server (the built CLI) while refreshes apply real changes (binanceusdm
// alternates between its two recordings) and persist them, and while clients keep looking
// instruments up; restart it on the same data dir. Every restart must serve the last-known-good
// set at once, at a revision no lower than any a client was answered with before the kill
// (acknowledged: a batch is persisted before anyone can see it), emit no spurious change, and a
// watcher resuming from its last revision must see every batch once, with no gap.
//
// Each kill lands at a moment chosen from what the test observes, not from a clock window, so
// every round has power however fast the machine is: in turn, just after a batch reached the
// watcher, while the exchange's load is in flight (its request reached the replay exchange), and
// while the batch is being persisted (the first write into the data dir).
import { watch as watchDir, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, SourceView, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, type Rpc, type Served } from '../support/service-harness.js';
import { watch } from '../support/store-harness.js';
import { PATIENCE_MS, waitFor } from '../support/wait-for.js';

const ROUNDS = 20;
const INTERVAL_SECONDS = 0.4;
const MOMENTS = ['after a batch', 'during a load', 'during a persist'] as const;
type Moment = (typeof MOMENTS)[number];
let seed = 0x2026_1124;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
let recorded: RecordedExchanges | undefined;
afterAll(() => recorded?.close());

/** Strip what legitimately differs between a definition as received and as restored. */
const comparable = (d: InstrumentDefinition): unknown => ({ ...(InstrumentDefinition.toJSON(d) as object), stale: undefined });

/**
 * Lookups (by key, and List pages) from 2 callers until `stop`; the highest revision answered is
 * `acked`. Each pauses 2 ms between calls (load shaping, no wait for anything): steady load that
 * does not starve the refreshes it competes with on 2 cores.
 */
function lookupLoad(rpc: Rpc, keys: () => string[]): { stop(): Promise<void>; acked: () => number; served: () => number } {
  let running = true;
  let acked = 0;
  let served = 0;
  const caller = async (n: number): Promise<void> => {
    for (let i = n; running; i += 2) {
      const known = keys();
      try {
        const answer = i % 8 === 0 || known.length === 0
          ? await rpc.listInstruments({ pageSize: 200, view: SourceView.SOURCE_VIEW_LIVE })
          : await rpc.getInstrument({ instrumentKey: known[i % known.length] as string });
        acked = Math.max(acked, answer.revision);
        served++;
      } catch {
        // UNAVAILABLE before an exchange has loaded, or the kill: only answers acknowledge anything.
      }
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const callers = [0, 1].map(caller);
  return { stop: async () => { running = false; await Promise.all(callers); }, acked: () => acked, served: () => served };
}

/** Resolves at the first write into the data dir's journal or snapshots (a persist under way). */
function firstWrite(dataDir: string): { written: Promise<void>; close(): void } {
  const watchers: FSWatcher[] = [];
  const written = new Promise<void>((resolve) => {
    for (const dir of ['journal', 'snapshots']) watchers.push(watchDir(join(dataDir, dir), () => resolve()));
  });
  return { written, close: () => { for (const w of watchers) w.close(); } };
}

it(`survives ${ROUNDS} SIGKILLs under lookups, after batches, during loads and during persists, without losing anything acknowledged, corruption, spurious changes or gaps`, async () => {
  recorded = await RecordedExchanges.start();
  const mirror = new Map<string, InstrumentDefinition>();
  let revision = 0;
  let acknowledged = 0;
  let lookupsServed = 0;
  let restoredChecks = 0;
  const kills = new Map<Moment, number>(MOMENTS.map((m) => [m, 0]));
  const problems: string[] = [];
  let server: Served = await launch({
    process: 'child', recorded, dataDir: true, exchanges: ['binanceusdm', 'dydx'],
    config: { live: { update_interval_seconds: INTERVAL_SECONDS, max_concurrent_loads: 2 } },
  });
  const dataDir = server.dataDir as string;
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) server = await server.relaunch();
    const rpc = server.rpc;
    // Before anything else: the restarted server is at least at the highest revision answered so far.
    const restartedAt = (await rpc.getStatus()).revision;
    if (restartedAt < acknowledged) problems.push(`round ${round}: restarted at revision ${restartedAt}, below the acknowledged ${acknowledged}`);
    // A client with no revision yet (start_revision 0 means "from now") builds its mirror from a
    // snapshot; once it has one it resumes after the last revision it processed.
    const fromSnapshot = revision === 0;
    if (fromSnapshot) mirror.clear();
    const w = watch(server.client, fromSnapshot ? { sendInitialSnapshot: true } : { startRevision: revision });
    const batches: number[] = [];
    const apply = (m: WatchChangesResponse): void => {
      for (const d of m.snapshot?.instruments ?? []) mirror.set(d.instrumentKey, d);
      if (m.snapshotEnd !== undefined) revision = m.revision;
      if (m.changes === undefined) return;
      if (m.revision !== revision + 1) problems.push(`round ${round}: batch ${m.revision} after ${revision} (gap or duplicate)`);
      revision = m.revision;
      batches.push(m.revision);
      for (const c of m.changes.changes) {
        const known = mirror.get(c.instrumentKey);
        if (c.changeType === ChangeType.CHANGE_TYPE_ADDED && known) problems.push(`round ${round}: ADDED ${c.instrumentKey} already known`);
        if (c.changeType !== ChangeType.CHANGE_TYPE_ADDED && !known) problems.push(`round ${round}: ${c.changeType} of unknown ${c.instrumentKey}`);
        if (c.changeType === ChangeType.CHANGE_TYPE_UPDATED && known && JSON.stringify(comparable(known)) !== JSON.stringify(comparable(c.previous as InstrumentDefinition))) {
          problems.push(`round ${round}: UPDATED ${c.instrumentKey} from a previous state the watcher never had`);
        }
        if (c.changeType === ChangeType.CHANGE_TYPE_REMOVED) mirror.delete(c.instrumentKey);
        else if (c.instrument) mirror.set(c.instrumentKey, c.instrument);
      }
    };
    w.stream.on('data', apply);
    // The start marker (snapshot end, or progress after the resumed backlog) says the mirror is current.
    await waitFor(() => w.messages.some((m) => m.snapshotEnd !== undefined || m.progress !== undefined), `round ${round}: the watch's start marker`);
    if (!fromSnapshot) {
      // At once, before any refresh: the last-known-good set, at the revision it was left at.
      const listed = await rpc.listInstruments({ pageSize: 1000, view: SourceView.SOURCE_VIEW_LIVE });
      if (listed.revision === revision) {
        const all = [...listed.instruments];
        for (let token = listed.nextPageToken; token !== '';) {
          const page = await rpc.listInstruments({ pageSize: 1000, pageToken: token, view: SourceView.SOURCE_VIEW_LIVE });
          all.push(...page.instruments);
          token = page.nextPageToken;
        }
        const served = new Map(all.map((d) => [d.instrumentKey, JSON.stringify(comparable(d))]));
        const expected = new Map([...mirror].map(([k, d]) => [k, JSON.stringify(comparable(d))]));
        restoredChecks++;
        const missing = [...expected.keys()].filter((k) => !served.has(k));
        const extra = [...served.keys()].filter((k) => !expected.has(k));
        const differ = [...expected].filter(([k, v]) => served.has(k) && served.get(k) !== v).map(([k]) => k);
        if (missing.length + extra.length + differ.length > 0) {
          problems.push(`round ${round}: restored set differs from the last-known-good one: missing ${missing.slice(0, 3)} (${missing.length}), extra ${extra.slice(0, 3)} (${extra.length}), different ${differ.slice(0, 3)} (${differ.length})`);
        }
      }
    }
    const load = lookupLoad(rpc, () => [...mirror.keys()]);
    // Settle: once binanceusdm's first refresh since the start has applied, the server holds the
    // recording now mounted, so the flip below is a real change whatever the last kill interrupted.
    await server.logEntry((e) => e.msg === 'markets loaded' && e.exchange === 'binanceusdm', `round ${round}: binanceusdm's first refresh`);
    const moment = MOMENTS[round % MOMENTS.length] as Moment;
    const persist = firstWrite(dataDir);
    const flippedAt = Date.now();
    const batchesBefore = batches.length;
    await recorded.flip('binanceusdm');
    if (moment === 'after a batch') {
      await waitFor(() => batches.length > batchesBefore, `round ${round}: the flip's batch at the watcher`);
      // Somewhere in the refresh interval that follows: the next load, or between loads.
      await new Promise((r) => setTimeout(r, random() * INTERVAL_SECONDS * 1000));
    } else if (moment === 'during a load') {
      await waitFor(() => recorded?.replay.requestLog().some((e) => e.prefix === 'binanceusdm' && e.at >= flippedAt), `round ${round}: a binanceusdm request after the flip`);
    } else {
      await persist.written;
    }
    persist.close();
    await server.kill();
    kills.set(moment, (kills.get(moment) ?? 0) + 1);
    await load.stop();
    acknowledged = Math.max(acknowledged, revision, load.acked());
    lookupsServed += load.served();
  }
  await server.kill();
  console.info(`crash-restart: ${ROUNDS} SIGKILLs survived (${[...kills].map(([m, n]) => `${n} ${m}`).join(', ')}), ${lookupsServed} lookups served around them, acknowledged revision ${acknowledged}, ${revision} batches seen once each, restored set compared at ${restoredChecks} restarts, ${mirror.size} instruments at the end, problems (lost or otherwise): ${problems.length}`);
  expect(problems).toEqual([]);
  // Power: enough rounds saw real batches, and enough restarts were compared with what was known.
  expect(revision).toBeGreaterThanOrEqual(ROUNDS / 4);
  expect(restoredChecks).toBeGreaterThan(ROUNDS / 2);
}, ROUNDS * 3 * PATIENCE_MS); // a failure detector: a round waits for at most three things
