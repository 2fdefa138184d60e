// SIGKILL the real server at random moments while refreshes apply real changes (binanceusdm
// alternates between its two recordings) and persist them, and while clients keep looking
// instruments up; restart it on the same data dir. Every restart must serve the last-known-good
// set at once, at a revision no lower than any a client was answered with before the kill
// (acknowledged: a batch is persisted before anyone can see it), emit no spurious change, and a
// watcher resuming from its last revision must see every batch once, with no gap.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, InstrumentServiceClient, SourceView, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Rpc } from '../support/service-harness.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { CLI } from '../support/demo-process.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../support/fixtures.js';
import { rpcOf } from '../support/service-harness.js';
import { watch } from '../support/store-harness.js';

const ROUNDS = 20;
const RECORDINGS = [join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'), join(EXCHANGES_DIR, 'binanceusdm')];
let replay: ReplayServer;
const dir = mkdtempSync(join(tmpdir(), 'crash-restart-'));
let seed = 0x2026_1124;
const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

beforeAll(async () => {
  replay = await startReplayServer({ sets: { binanceusdm: RECORDINGS[0] as string, dydx: join(EXCHANGES_DIR, 'dydx') } });
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({
    live: {
      exchanges: { binanceusdm: { ccxt: { proxyUrl: replay.proxyUrlFor('binanceusdm') } }, dydx: { ccxt: { proxyUrl: replay.proxyUrlFor('dydx') } } },
      update_interval_seconds: 0.4, jitter_ratio: 0, max_concurrent_loads: 2,
    },
    http: { listen: '127.0.0.1:0' }, logging: { level: 'warn', format: 'json' }, data_dir: join(dir, 'data'),
  }));
});
afterAll(() => replay.close());

/** Strip what legitimately differs between a definition as received and as restored. */
const comparable = (d: InstrumentDefinition): unknown => ({ ...(InstrumentDefinition.toJSON(d) as object), stale: undefined });

async function startServer(): Promise<{ port: number; kill: () => Promise<void> }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', join(dir, 'config.yaml'), '--listen', '127.0.0.1:0', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`server exited ${code}`)));
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      const entry = JSON.parse(line) as { msg?: string; port?: number };
      if (entry.msg === 'serving' && entry.port !== undefined) resolve(entry.port);
    });
  });
  return { port, kill: async () => { child.kill('SIGKILL'); await new Promise((r) => child.once('exit', r)); } };
}

/**
 * Lookups (by key, and List pages) from 2 callers until `stop`; the highest revision answered is
 * `acked`. Each yields a few ms between calls: steady load, without starving the refreshes (2 cores).
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
        await new Promise((r) => setTimeout(r, 2));
      } catch {
        // UNAVAILABLE before an exchange has loaded, or the kill: only answers acknowledge anything.
        await new Promise((r) => setTimeout(r, 20));
      }
    }
  };
  const callers = [0, 1].map(caller);
  return { stop: async () => { running = false; await Promise.all(callers); }, acked: () => acked, served: () => served };
}

it(`survives ${ROUNDS} SIGKILLs under lookups, during refreshes and snapshot writes, without losing anything acknowledged, corruption, spurious changes or gaps`, async () => {
  const mirror = new Map<string, InstrumentDefinition>();
  let revision = 0;
  let acknowledged = 0;
  let lookupsServed = 0;
  let restoredChecks = 0;
  const problems: string[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const server = await startServer();
    const client = new InstrumentServiceClient(`127.0.0.1:${server.port}`, credentials.createInsecure());
    const rpc = rpcOf(client);
    // Before anything else: the restarted server is at least at the highest revision answered so far.
    const restartedAt = (await rpc.getStatus()).revision;
    if (restartedAt < acknowledged) problems.push(`round ${round}: restarted at revision ${restartedAt}, below the acknowledged ${acknowledged}`);
    // A client with no revision yet (start_revision 0 means "from now") builds its mirror from a
    // snapshot; once it has one it resumes after the last revision it processed.
    const fromSnapshot = revision === 0;
    if (fromSnapshot) mirror.clear();
    const w = watch(client, fromSnapshot ? { sendInitialSnapshot: true } : { startRevision: revision });
    const apply = (m: WatchChangesResponse): void => {
      for (const d of m.snapshot?.instruments ?? []) mirror.set(d.instrumentKey, d);
      if (m.snapshotEnd !== undefined) revision = m.revision;
      if (m.changes === undefined) return;
      if (m.revision !== revision + 1) problems.push(`round ${round}: batch ${m.revision} after ${revision} (gap or duplicate)`);
      revision = m.revision;
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
    while (w.messages.at(-1)?.snapshotEnd === undefined && w.messages.at(-1)?.progress === undefined) await new Promise((r) => setTimeout(r, 5));
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
    // Flip the recording so the next refresh applies real changes, then kill at a random moment
    // while lookups run.
    const load = lookupLoad(rpc, () => [...mirror.keys()]);
    await replay.mount('binanceusdm', RECORDINGS[(round + 1) % 2] as string);
    await new Promise((r) => setTimeout(r, 1000 + random() * 3500));
    await server.kill();
    await load.stop();
    acknowledged = Math.max(acknowledged, revision, load.acked());
    lookupsServed += load.served();
    client.close();
  }
  console.info(`crash-restart: ${ROUNDS} SIGKILLs survived, ${lookupsServed} lookups served around them, acknowledged revision ${acknowledged}, ${revision} batches seen once each, restored set compared at ${restoredChecks} restarts, ${mirror.size} instruments at the end, problems (lost or otherwise): ${problems.length}`);
  expect(problems).toEqual([]);
  // Enough rounds saw real batches (server start-up under load takes part of each window).
  expect(revision).toBeGreaterThanOrEqual(ROUNDS / 4);
  expect(restoredChecks).toBeGreaterThan(ROUNDS / 2);
}, 180_000);
