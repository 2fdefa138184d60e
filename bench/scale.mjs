#!/usr/bin/env node
// Scale: a synthetic universe of N instruments (default 100,000: the recorded exchange responses
// replicated under distinct symbols, bench/support/synthetic-universe.mjs) served by the replay
// exchange. Measures, in the same run:
//   a. CCXT's loadMarkets CPU per exchange, in a fresh process per exchange (the baseline), first
//      load and refresh (a new CCXT instance each time, as the service's worker does);
//   b. the service's own work per full refresh: conversion and encoding (worker side), decoding,
//      the refresh guard and InstrumentStore.applyExchange (diff, apply, views, publish) on the
//      main thread, for the first load (all added) and for unchanged refreshes; ratio to (a)
//      (persisting, the journal append and snapshot write of a batch, is timed apart: not in it);
//   c. diff + apply (applyExchange) of the whole universe unchanged, with freshly decoded objects;
//   d. resident memory of the real service (`instruments serve`, CCXT in its workers, persistence
//      on) once every exchange is loaded and refreshed once more: VmRSS and peak VmHWM; with, to
//      explain it, the heap CCXT keeps per exchange and the heap the store keeps (from a and b);
// and checks that the service serves N distinct instrument keys (ListInstruments, every page).
// Targets (issue): b ≤ 10% of CCXT's CPU; c < 100 ms; d peak < 500 MB.
//
//   npm run build && node bench/scale.mjs [--instruments 100000] [--rounds 5] [--profile DIR] [--smoke]
// `--profile DIR` also writes CPU profiles (conversion per exchange, store first load, store
// unchanged refresh; summarise with `node bench/support/cpu-profile.mjs DIR/*.cpuprofile`): the
// timings of a profiled run are inflated by the profiler.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';
import { runScript } from './support/child-script.mjs';
import { sumTimes } from './support/cpu-meter.mjs';
import { procStatusMb } from './support/memory.mjs';
import { benchArgs, quantile, report } from './support/report.mjs';
import { clientFor, listKeys, spawnServe, stopChild, writeServiceConfig } from './support/service-process.mjs';
import { SMOKE_EXCHANGES, writeSyntheticUniverse } from './support/synthetic-universe.mjs';

const args = benchArgs({ instruments: { type: 'string', default: '100000' }, rounds: { type: 'string', default: '5' }, profile: { type: 'string' } });
const instruments = args.smoke ? 3000 : Number(args.instruments);
const rounds = args.smoke ? 2 : Number(args.rounds);

/** Runs a probe (bench/support/) in its own Node process; resolves with its JSON result. */
async function runProbe(script, probeArgs) {
  // --expose-gc: the probes report the heap they retain after a full GC (after their timings).
  const { result } = await runScript(new URL(`./support/${script}`, import.meta.url).pathname, probeArgs, { nodeArgs: ['--expose-gc'] });
  return result;
}

/** a: CCXT and the worker-side work, one fresh process per exchange, one after another. */
async function measureLoads(replay, ids, loadsDir) {
  const loads = {};
  for (const id of ids) {
    const probeArgs = ['--id', id, '--proxy-url', replay.proxyUrlFor(id), '--ccxt', JSON.stringify(replay.ccxtOptionsFor(id)), '--out', loadsDir];
    loads[id] = await runProbe('scale-load-probe.mjs', [...probeArgs, ...(args.profile ? ['--profile', args.profile] : [])]);
  }
  return loads;
}

/** b, c: the main thread's work on all exchanges in one store. */
function measureStore(ids, loadsDir, dataDir) {
  return runProbe('scale-store-probe.mjs', ['--loads', loadsDir, '--ids', ids.join(','), '--data-dir', dataDir, '--rounds', String(rounds), ...(args.profile ? ['--profile', args.profile] : [])]);
}

/**
 * d: the real service on the universe, refreshing every second (so a second round follows the
 * first at once), until every exchange has loaded twice. Memory is read then; VmHWM is the peak
 * over the whole run, first loads included.
 */
async function measureService(replay, ids, dir) {
  const config = writeServiceConfig(join(dir, 'serve.yaml'), { replay, ids, live: { update_interval_seconds: 1, jitter_ratio: 0, retry_initial_seconds: 0.1 } });
  const loadedCount = new Map(ids.map((id) => [id, 0]));
  const loadMs = new Map();
  let twiceResolve;
  const loadedTwice = new Promise((resolve) => { twiceResolve = resolve; });
  const started = performance.now();
  const onLog = (entry) => {
    if (entry.msg !== 'markets loaded') return;
    loadedCount.set(entry.exchange, loadedCount.get(entry.exchange) + 1);
    if (loadedCount.get(entry.exchange) === 1) loadMs.set(entry.exchange, { firstDurationMs: entry.durationMs });
    if (loadedCount.get(entry.exchange) === 2) loadMs.get(entry.exchange).refreshDurationMs = entry.durationMs;
    if ([...loadedCount.values()].every((n) => n >= 1) && !loadMs.has('*all')) loadMs.set('*all', performance.now() - started);
    if ([...loadedCount.values()].every((n) => n >= 2)) twiceResolve();
  };
  const { child, port } = spawnServe(config, ['--data-dir', join(dir, 'serve-data')], { onLog });
  const exited = new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`serve exited with ${code} before loading twice`))));
  const client = clientFor(await port);
  try {
    const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error('exchanges not loaded twice within 600 s')), 600_000).unref());
    await Promise.race([loadedTwice, exited, timeout]);
    const memory = procStatusMb(child.pid);
    const keys = new Set(await listKeys(client));
    return { ...memory, servedKeys: keys.size, allLoadedMs: loadMs.get('*all'), workerLoadMs: Object.fromEntries(ids.map((id) => [id, loadMs.get(id)])) };
  } finally {
    client.close();
    await stopChild(child);
  }
}

const cpu = (t) => t.cpuMs;
const dir = mkdtempSync(join(tmpdir(), 'scale-'));
let replay;
try {
  const universe = writeSyntheticUniverse({ instruments, dir: join(dir, 'universe'), ...(args.smoke ? { ids: SMOKE_EXCHANGES } : {}) });
  replay = await startReplayServer({ fixturesDir: universe.dir });
  const { ids } = universe;
  const loadsDir = join(dir, 'loads');
  mkdirSync(loadsDir);
  if (args.profile) mkdirSync(args.profile, { recursive: true });

  const loads = await measureLoads(replay, ids, loadsDir);
  const store = await measureStore(ids, loadsDir, join(dir, 'store-data'));
  const service = await measureService(replay, ids, dir);

  // Unchanged refreshes: the round with the median total apply time stands for all of them.
  const applyTotals = store.unchanged.map((r) => r.total.apply.wallMs);
  const medianRound = store.unchanged.find((r) => r.total.apply.wallMs === quantile(applyTotals, 0.5));
  const rows = ids.map((id) => {
    const l = loads[id];
    const firstStore = store.first.perExchange[id];
    const refreshStore = medianRound.perExchange[id];
    const serviceFirst = cpu(l.first.convert) + cpu(l.first.encode) + cpu(firstStore.decode) + cpu(firstStore.guard) + cpu(firstStore.apply);
    const serviceRefresh = cpu(l.refresh.convert) + cpu(l.refresh.encode) + cpu(refreshStore.decode) + cpu(refreshStore.guard) + cpu(refreshStore.apply);
    return {
      exchange: id, instruments: l.first.definitions,
      ccxtFirstCpuMs: cpu(l.first.ccxt), ccxtRefreshCpuMs: cpu(l.refresh.ccxt),
      convertMs: cpu(l.refresh.convert), encodeMs: cpu(l.refresh.encode), decodeMs: cpu(refreshStore.decode), guardMs: cpu(refreshStore.guard),
      applyFirstMs: cpu(firstStore.apply), applyUnchangedMs: cpu(refreshStore.apply), persistFirstMs: firstStore.persist.wallMs,
      serviceFirstCpuMs: serviceFirst, serviceRefreshCpuMs: serviceRefresh, ccxtMarketsHeapMb: l.memory.marketsHeapMb,
      ratioFirst: serviceFirst / cpu(l.first.ccxt), ratioRefresh: serviceRefresh / cpu(l.refresh.ccxt),
    };
  });
  const sum = (key) => rows.reduce((n, r) => n + r[key], 0);
  const total = Object.fromEntries(Object.keys(rows[0]).filter((k) => typeof rows[0][k] === 'number').map((k) => [k, sum(k)]));
  total.ratioFirst = total.serviceFirstCpuMs / total.ccxtFirstCpuMs;
  total.ratioRefresh = total.serviceRefreshCpuMs / total.ccxtRefreshCpuMs;
  const unchangedApply = { median: quantile(applyTotals, 0.5), max: Math.max(...applyTotals) };

  report({
    bench: 'scale', instruments: universe.instruments, perExchange: universe.perExchange, rounds,
    servedKeys: service.servedKeys, storeInstruments: store.instruments,
    ccxtCpuMs: { first: total.ccxtFirstCpuMs, refresh: total.ccxtRefreshCpuMs },
    serviceCpuMs: { first: total.serviceFirstCpuMs, refresh: total.serviceRefreshCpuMs },
    serviceParts: {
      first: { convert: sumTimes(ids.map((id) => loads[id].first.convert)), encode: sumTimes(ids.map((id) => loads[id].first.encode)), ...store.first.total },
      refresh: { convert: sumTimes(ids.map((id) => loads[id].refresh.convert)), encode: sumTimes(ids.map((id) => loads[id].refresh.encode)), ...medianRound.total },
    },
    ratio: { first: total.ratioFirst, refresh: total.ratioRefresh },
    unchangedApplyMs: unchangedApply, unchangedChanges: store.unchanged.map((r) => r.changes), publishedFirst: store.publishedFirst,
    service: { rssMb: service.rssMb, peakRssMb: service.peakMb, allLoadedMs: service.allLoadedMs, workerLoadMs: service.workerLoadMs },
    // Where the memory goes: CCXT itself (heap after a GC, no markets), its markets per exchange
    // (heap kept after a GC), the peak RSS of each CCXT probe (parsing included), the store's share.
    memory: {
      ccxtModuleHeapMb: loads[ids[0]].memory.baseHeapMb,
      ccxtMarketsHeapMb: Object.fromEntries(ids.map((id) => [id, loads[id].memory.marketsHeapMb])),
      ccxtProbePeakRssMb: Object.fromEntries(ids.map((id) => [id, loads[id].memory.peakMb])),
      storeRetainedHeapMb: store.memory.retainedHeapMb, storeProbePeakRssMb: store.memory.peakMb,
    },
    loads, profileDir: args.profile,
    targets: [
      { name: 'service work per refresh ≤ 10% of CCXT loadMarkets CPU (unchanged refresh)', measured: `${(100 * total.ratioRefresh).toFixed(1)}%`, met: total.ratioRefresh <= 0.1 },
      { name: 'service work per first load ≤ 10% of CCXT loadMarkets CPU', measured: `${(100 * total.ratioFirst).toFixed(1)}%`, met: total.ratioFirst <= 0.1 },
      { name: `diff + apply of ${universe.instruments} unchanged instruments < 100 ms (median of ${rounds} rounds)`, measured: `${unchangedApply.median.toFixed(1)} ms (max ${unchangedApply.max.toFixed(1)})`, met: unchangedApply.median < 100 },
      { name: 'peak resident memory of the service (VmHWM, CCXT included) < 500 MB', measured: `${service.peakMb.toFixed(0)} MB (VmRSS after two rounds ${service.rssMb.toFixed(0)} MB)`, met: service.peakMb < 500 },
      { name: `distinct instrument keys served = ${universe.instruments}`, measured: `${service.servedKeys}`, met: service.servedKeys === universe.instruments },
    ],
  }, [...rows, { exchange: 'total', ...total }]);
} finally {
  await replay?.close();
  rmSync(dir, { recursive: true, force: true });
}
