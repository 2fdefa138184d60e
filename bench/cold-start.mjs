#!/usr/bin/env node
// Cold start: time from process spawn to the first answered GetInstrument, when the service starts
// from the durable snapshot (exchanges unreachable), and separately to its "serving" log line.
// Two universes: the recorded exchanges (compared in the same run with a start that has to load
// them first, through the replay exchange and CCXT), and a synthetic one of N instruments (the
// recorded responses replicated, bench/support/synthetic-universe.mjs; compared with the time the
// service took to load it from the exchanges when the snapshot was made).
// Target (issue): from the snapshot to the first answered GetInstrument < 1 s, for both.
//
//   npm run build && node bench/cold-start.mjs [--rounds N] [--universe recorded|synthetic|both]
//                                              [--instruments 100000] [--profile DIR] [--smoke]
// `--profile DIR`: one more synthetic start from the snapshot under `node --cpu-prof` (not in the
// figures); summarise with `node bench/support/cpu-profile.mjs DIR/CPU.*.cpuprofile`.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetInstrumentRequest, ListInstrumentsRequest } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';
import { benchArgs, quantile, report } from './support/report.mjs';
import { call, clientFor, fixtureExchanges, FIXTURES, spawnServe, stopChild, waitForLoaded, writeServiceConfig } from './support/service-process.mjs';
import { SMOKE_EXCHANGES, writeSyntheticUniverse } from './support/synthetic-universe.mjs';

const args = benchArgs({
  rounds: { type: 'string', default: '9' },
  universe: { type: 'string', default: 'both' },
  instruments: { type: 'string', default: '100000' },
  profile: { type: 'string' },
});
if (!['recorded', 'synthetic', 'both'].includes(args.universe)) throw new Error(`--universe recorded|synthetic|both, not ${args.universe}`);
const rounds = args.smoke ? 1 : Number(args.rounds);
const instruments = args.smoke ? 2000 : Number(args.instruments);
const RECORDED_KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';
const DEAD_PROXY = 'http://127.0.0.1:9/';

/**
 * Spawns `serve` and times it (ms from spawn): to its "serving" line, and to its first answered
 * GetInstrument of `key`; also the restore time the service logs.
 */
async function timeStart(configFile, dataDir, key, nodeArgs = []) {
  let restoreMs;
  const onLog = (entry) => { if (entry.msg === 'restored last-known-good state') restoreMs = entry.ms; };
  const started = performance.now();
  const { child, port } = spawnServe(configFile, ['--data-dir', dataDir], { onLog, nodeArgs });
  // Connect once the port is bound: polling a closed port puts the channel into reconnect backoff.
  const client = clientFor(await port);
  const servingMs = performance.now() - started;
  try {
    for (;;) {
      const answer = await call(client, 'getInstrument', GetInstrumentRequest.fromPartial({ instrumentKey: key }), { deadline: Date.now() + 1000 }).catch(() => undefined);
      const ok = answer?.instrument?.instrumentKey === key;
      if (ok) return { firstAnswerMs: performance.now() - started, servingMs, restoreMs };
      if (performance.now() - started > 60_000) throw new Error(`no answer for ${key} within 60 s`);
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    client.close();
    await stopChild(child);
  }
}

/**
 * Runs the service on the replay exchange until every exchange is loaded (and so persisted), then
 * stops it (SIGTERM: it flushes). Returns the time that took and a key the service serves.
 */
async function fillSnapshot(liveConfig, ids, dataDir) {
  const started = performance.now();
  const { child, port } = spawnServe(liveConfig, ['--data-dir', dataDir]);
  const client = clientFor(await port);
  try {
    await waitForLoaded(client, ids, 600_000);
    const loadMs = performance.now() - started;
    const page = await call(client, 'listInstruments', ListInstrumentsRequest.fromPartial({ pageSize: 1000 }));
    return { loadMs, key: page.instruments.at(-1).instrumentKey };
  } finally {
    client.close();
    await stopChild(child);
  }
}

/** Bytes on disk of the durable state, per kind (snapshots, journal). */
function dataBytes(dataDir) {
  const bytes = (sub) => readdirSync(join(dataDir, sub)).reduce((n, f) => n + statSync(join(dataDir, sub, f)).size, 0);
  return { snapshots: bytes('snapshots'), journal: bytes('journal') };
}

const stats = (xs) => ({ median: quantile(xs, 0.5), max: Math.max(...xs) });
const summary = (starts) => ({ firstAnswerMs: stats(starts.map((s) => s.firstAnswerMs)), servingMs: stats(starts.map((s) => s.servingMs)), restoreMs: stats(starts.map((s) => s.restoreMs ?? NaN)) });

async function repeat(n, fn) {
  const results = [];
  for (let i = 0; i < n; i++) results.push(await fn(i));
  return results;
}

/** The recorded exchanges: from the exchanges (empty data dirs) and from the snapshot. */
async function recordedUniverse(dir) {
  const replay = await startReplayServer({ fixturesDir: FIXTURES });
  try {
    const ids = fixtureExchanges(replay);
    const liveConfig = writeServiceConfig(join(dir, 'recorded-live.yaml'), { replay, ids });
    // The snapshot rounds point at a closed port: their instruments can only come from disk.
    const deadConfig = writeServiceConfig(join(dir, 'recorded-dead.yaml'), { replay, ids, proxyUrl: DEAD_PROXY });
    const fromExchanges = await repeat(rounds, (i) => timeStart(liveConfig, join(dir, `recorded-empty-${i}`), RECORDED_KEY));
    const dataDir = join(dir, 'recorded-data');
    await fillSnapshot(liveConfig, ids, dataDir);
    const fromSnapshot = await repeat(rounds, () => timeStart(deadConfig, dataDir, RECORDED_KEY));
    return { exchanges: ids, key: RECORDED_KEY, dataBytes: dataBytes(dataDir), fromSnapshot: summary(fromSnapshot), fromExchanges: summary(fromExchanges) };
  } finally {
    await replay.close();
  }
}

/** The synthetic universe: filled once from the exchanges, then started from its snapshot. */
async function syntheticUniverse(dir) {
  const universe = writeSyntheticUniverse({ instruments, dir: join(dir, 'universe'), ...(args.smoke ? { ids: SMOKE_EXCHANGES } : {}) });
  const replay = await startReplayServer({ fixturesDir: universe.dir });
  try {
    const { ids } = universe;
    const liveConfig = writeServiceConfig(join(dir, 'synthetic-live.yaml'), { replay, ids });
    const deadConfig = writeServiceConfig(join(dir, 'synthetic-dead.yaml'), { replay, ids, proxyUrl: DEAD_PROXY });
    const dataDir = join(dir, 'synthetic-data');
    const filled = await fillSnapshot(liveConfig, ids, dataDir);
    const fromSnapshot = await repeat(rounds, () => timeStart(deadConfig, dataDir, filled.key));
    let profiled;
    if (args.profile) {
      mkdirSync(args.profile, { recursive: true });
      profiled = await timeStart(deadConfig, dataDir, filled.key, ['--cpu-prof', '--cpu-prof-dir', args.profile, '--cpu-prof-interval', '250']);
    }
    return { instruments: universe.instruments, perExchange: universe.perExchange, key: filled.key, dataBytes: dataBytes(dataDir), fromSnapshot: summary(fromSnapshot), loadFromExchangesMs: filled.loadMs, profiled };
  } finally {
    await replay.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
try {
  const recorded = args.universe === 'synthetic' ? undefined : await recordedUniverse(dir);
  const synthetic = args.universe === 'recorded' ? undefined : await syntheticUniverse(dir);
  const targets = [];
  const rows = [];
  const row = (universe, start, s) => ({ universe, start, firstAnswerMedianMs: s.firstAnswerMs.median, firstAnswerMaxMs: s.firstAnswerMs.max, servingMedianMs: s.servingMs.median, restoreMedianMs: s.restoreMs.median });
  if (recorded) {
    targets.push({ name: 'recorded exchanges: from snapshot to first GetInstrument < 1000 ms (max of rounds)', measured: `${recorded.fromSnapshot.firstAnswerMs.max.toFixed(0)} ms`, met: recorded.fromSnapshot.firstAnswerMs.max < 1000 });
    rows.push(row('recorded', 'from snapshot', recorded.fromSnapshot), row('recorded', 'loading the exchanges', recorded.fromExchanges));
  }
  if (synthetic) {
    const s = synthetic.fromSnapshot;
    targets.push({ name: `synthetic ${synthetic.instruments} instruments: from snapshot to first GetInstrument < 1000 ms (max of rounds)`, measured: `${s.firstAnswerMs.max.toFixed(0)} ms (serving after ${s.servingMs.max.toFixed(0)} ms)`, met: s.firstAnswerMs.max < 1000 });
    rows.push(row(`synthetic ${synthetic.instruments}`, 'from snapshot', s));
    rows.push({ universe: `synthetic ${synthetic.instruments}`, start: 'loading the exchanges (all loaded)', firstAnswerMedianMs: synthetic.loadFromExchangesMs, firstAnswerMaxMs: synthetic.loadFromExchangesMs, servingMedianMs: '-', restoreMedianMs: '-' });
  }
  report({ bench: 'cold-start', rounds, recorded, synthetic, targets }, rows);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
