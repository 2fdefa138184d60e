#!/usr/bin/env node
// Refresh never stalls lookups: GetInstrument latency (ghz, 16 concurrent calls on one connection,
// `BINANCE-SPOT:SPOT:BTC/USDT`) while every recorded exchange refreshes back to back, compared in
// the same run with the same load on a service whose refreshes are far apart (idle). CCXT's parsing
// and the conversion run in worker threads; what stays on the main thread (decode, guard, diff,
// apply, logs, metrics) is what this bench exposes.
//
// Two `instruments serve` processes on the replay exchange, all seven fixture exchanges, http on
// as in production: "idle" (update_interval 3600 s: loaded once, then nothing) and "busy"
// (update_interval 0.1 s, no jitter, 2 concurrent loads: a refresh always running). They are
// measured alternately (idle, busy, idle, busy, ...). The busy service is frozen (SIGSTOP) while the
// idle one is measured, so its refreshes cannot steal the idle phase's CPU; it is resumed (SIGCONT)
// for its own phase. Its `markets loaded` log lines inside each measured window prove the refreshes
// ran (refreshes/s, how many of the exchanges). CPU of each service (whole process, and main thread
// alone) is read from /proc around each phase.
//
// Target: busy p99 / idle p99 <= 1.5.
//
//   npm run build && node bench/refresh-stall.mjs [--rounds 3] [--seconds 10] [--loader-nice N] [--profile DIR] [--smoke]
//
// --profile DIR: afterwards, one more busy phase on a third service run with `--cpu-prof` into DIR
// (kept; open in Chrome DevTools), and the main thread's and the workers' top functions over the
// measured window in the report. Separate from the measured phases: the profiler costs time.
import { mkdirSync } from 'node:fs';
import { get } from 'node:http';
import { resolve } from 'node:path';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';
import { profilesOf, readProfile, summarizeProfile, workStretches } from './support/cpu-profile.mjs';
import { requireGhz, runGhz } from './support/ghz.mjs';
import { processState } from './support/proc-cpu.mjs';
import { benchArgs, quantile, report } from './support/report.mjs';
import { FIXTURES, startLoadedService, stopChild } from './support/service-process.mjs';

const args = benchArgs({ rounds: { type: 'string', default: '3' }, seconds: { type: 'string', default: '10' }, profile: { type: 'string' }, 'loader-nice': { type: 'string', default: '0' } });
// live.loader_nice for both services: 0 is the default; higher lets the RPC thread win a busy core.
const LOADER_NICE = Number(args['loader-nice']);
const rounds = args.smoke ? 1 : Number(args.rounds);
const seconds = args.smoke ? 2 : Number(args.seconds);
const warmupSeconds = 1;
const KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';
const CONCURRENCY = 16;
const TARGET_RATIO = 1.5;
const IDLE_LIVE = { update_interval_seconds: 3600, max_concurrent_loads: 2, loader_nice: LOADER_NICE };
// Short retries: a load that was in flight when the service was frozen may time out on resume.
const BUSY_LIVE = { update_interval_seconds: 0.1, jitter_ratio: 0, max_concurrent_loads: 2, retry_initial_seconds: 0.1, retry_max_seconds: 1, loader_nice: LOADER_NICE };
requireGhz();

/**
 * A running, loaded service on `replay` (http on), with the `markets loaded` (and failed-load) log
 * lines it wrote, on the wall clock.
 */
async function startService(name, replay, live, nodeArgs = []) {
  const refreshes = [];
  const failures = [];
  const onLog = (entry) => {
    if (entry.msg === 'markets loaded') refreshes.push({ at: entry.time, exchange: entry.exchange, instruments: entry.instruments, durationMs: entry.durationMs });
    if (entry.msg === 'exchange unavailable, will retry') failures.push({ at: entry.time, exchange: entry.exchange, error: entry.error });
  };
  const service = await startLoadedService({ replay, live, nodeArgs, onLog });
  return { ...service, name, refreshes, failures };
}

/** GetInstrument of KEY on `service` with ghz (see runGhz for the options). */
function load(service, options) {
  return runGhz({ port: service.port, method: 'GetInstrument', data: { instrument_key: KEY }, concurrency: CONCURRENCY, ...options });
}

/**
 * The service's event-loop delay since the previous call (max and p99, ms), from its Prometheus
 * metrics: prom-client resets its event-loop histogram at every scrape.
 */
async function eventLoopLag(service) {
  const text = await new Promise((resolve, reject) => {
    get(`http://127.0.0.1:${service.httpPort}/metrics`, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (chunk) => { body += chunk; }).on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`/metrics: HTTP ${res.statusCode}`))));
    }).on('error', reject);
  });
  const value = (name) => 1000 * Number(text.match(new RegExp(`^instruments_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm'))?.[1]);
  return { maxMs: value('max'), p99Ms: value('p99') };
}

/** Freezes every thread of the service (its loads included) until resume(). */
async function pause(service) {
  service.child.kill('SIGSTOP');
  while (processState(service.pid) !== 'T') {
    if (service.child.exitCode !== null || ['Z', undefined].includes(processState(service.pid))) throw new Error(`service ${service.name} exited`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

function resume(service) {
  service.child.kill('SIGCONT');
}

/** One measured phase: ghz on the service, its CPU, and the refreshes it logged inside the window. */
async function measure(service, phase, round) {
  await eventLoopLag(service);
  const measured = await load(service, { seconds, serverPid: service.pid, keepLatencies: true });
  const lag = await eventLoopLag(service);
  const inWindow = (e) => e.at >= measured.startedAt && e.at <= measured.endedAt;
  const refreshes = service.refreshes.filter(inWindow);
  return { phase, round, load: measured, cpu: measured.serverCpu, lag, refreshes, failures: service.failures.filter(inWindow) };
}

/** Pooled over the rounds of one phase (event-loop lag: the worst round's). */
function pool(phases) {
  const latencies = phases.flatMap((p) => p.load.latenciesMs);
  const windowS = phases.reduce((s, p) => s + p.load.totalMs, 0) / 1000;
  const ok = phases.reduce((s, p) => s + p.load.ok, 0);
  const refreshes = phases.flatMap((p) => p.refreshes);
  const sum = (key) => phases.reduce((s, p) => s + p.cpu[key], 0);
  return {
    calls: ok, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: latencies.reduce((a, b) => Math.max(a, b), 0), rps: ok / windowS,
    refreshes: refreshes.length, refreshesPerS: refreshes.length / windowS,
    exchangesRefreshed: new Set(refreshes.map((r) => r.exchange)).size,
    meanWorkerLoadMs: refreshes.length === 0 ? 0 : refreshes.reduce((s, r) => s + r.durationMs, 0) / refreshes.length,
    failedLoads: phases.reduce((s, p) => s + p.failures.length, 0),
    eventLoopLagMaxMs: Math.max(...phases.map((p) => p.lag.maxMs)), eventLoopLagP99Ms: Math.max(...phases.map((p) => p.lag.p99Ms)),
    mainThreadCpuS: sum('mainThreadS'), processCpuS: sum('processS'),
    mainThreadCores: sum('mainThreadS') / windowS, processCores: sum('processS') / windowS,
  };
}

const row = (name, p) => ({
  phase: name, p50Ms: p.p50Ms, p99Ms: p.p99Ms, maxMs: p.maxMs, rps: p.rps, refreshesPerS: p.refreshesPerS,
  exchanges: p.exchangesRefreshed, loopLagP99Ms: p.eventLoopLagP99Ms, loopLagMaxMs: p.eventLoopLagMaxMs, mainThreadCores: p.mainThreadCores, processCores: p.processCores,
});

/**
 * Which refresh each stretch of refresh work on the main thread was: the refresh's `markets loaded`
 * line is written at the end of that same stretch. Profile time maps to the wall clock as "so long
 * before the process exited", give or take the time the exit took (writing the profiles): that
 * offset is the one that lines up the most stretch ends with log lines.
 */
function attributeRuns(runs, refreshes, exitedAt) {
  const wallEnd = (run) => exitedAt - run.endMsBeforeProfileEnd;
  const nearest = (at) => refreshes.reduce((best, r) => (best === undefined || Math.abs(r.at - at) < Math.abs(best.at - at) ? r : best), undefined);
  const matches = (offset) => runs.filter((run) => Math.abs((nearest(wallEnd(run) + offset)?.at ?? Infinity) - (wallEnd(run) + offset)) <= 10).length;
  const candidates = runs.flatMap((run) => refreshes.map((r) => r.at - wallEnd(run))).filter((gap) => gap > -1000 && gap < 200);
  const offset = candidates.reduce((best, c) => (best === undefined || matches(c) > matches(best) ? c : best), undefined) ?? 0;
  const byExchange = new Map();
  let unmatched = 0;
  for (const run of runs) {
    const match = nearest(wallEnd(run) + offset);
    if (match === undefined || Math.abs(match.at - (wallEnd(run) + offset)) > 10) { unmatched++; continue; }
    const entry = byExchange.get(match.exchange) ?? { exchange: match.exchange, instruments: match.instruments, blocks: [], steps: {} };
    entry.blocks.push(run.ms);
    for (const [step, ms] of Object.entries(run.steps)) entry.steps[step] = (entry.steps[step] ?? 0) + ms;
    byExchange.set(match.exchange, entry);
  }
  const perExchange = [...byExchange.values()].sort((a, b) => b.instruments - a.instruments).map((e) => ({
    exchange: e.exchange, instruments: e.instruments, refreshes: e.blocks.length,
    medianBlockMs: quantile(e.blocks, 0.5), maxBlockMs: Math.max(...e.blocks),
    // Mean per refresh, by step.
    stepsMs: Object.fromEntries(Object.entries(e.steps).sort((a, b) => b[1] - a[1]).map(([step, ms]) => [step, ms / e.blocks.length])),
  }));
  return { perExchange, unmatchedRuns: unmatched };
}

// The refresh pipeline on the main thread: a worker's result arriving (market-loader-pool and its
// decoding) and the rxjs stages after it (pipeline/: guard, apply to the store, ...).
const REFRESH_FRAME = /\/dist\/src\/(pipeline\/|adapters\/ccxt\/market-loader-(pool|protocol))/;
// Steps of a refresh on the main thread, by the innermost of these functions on the stack.
const REFRESH_STEPS = [
  ['decode', /^decodeDefinitions$/],
  ['diff', /^(changedFields|diffOne)$/],
  ['winner', /^winner$/],
  ['views', /^(buildView|rebuildViews|readView)$/],
  ['persist', /^persist$/],
  ['guard', /^guardRefresh$/],
  ['apply', /^applyExchange$/],
  ['request', /^send$/], // market-loader-pool posting the next load to a worker
];
const isRefreshWork = (frames) => frames.some((f) => REFRESH_FRAME.test(f.url));
function refreshStep(frames) {
  for (const f of frames) {
    const found = f.url.includes('/dist/src/') && REFRESH_STEPS.find(([, re]) => re.test(f.functionName));
    if (found) return found[0];
  }
  return 'other';
}

/** The profiled extra busy phase: main thread and worker hot spots over the measured window. */
async function profileBusy(replay, profileDir) {
  mkdirSync(profileDir, { recursive: true });
  const service = await startService('profiled', replay, BUSY_LIVE, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
  let result;
  let exitedAt;
  try {
    result = await measure(service, 'busy (profiled)', 1);
    await stopChild(service.child);
    // The profile ends when the process exits: the window is counted back from the exit.
    exitedAt = Date.now();
  } finally {
    await service.close();
  }
  const window = { lastMs: exitedAt - result.load.startedAt, skipEndMs: exitedAt - result.load.endedAt };
  const files = profilesOf(profileDir, service.pid);
  if (files.main === undefined) throw new Error(`no main-thread .cpuprofile of pid ${service.pid} in ${profileDir}`);
  const mainProfile = readProfile(files.main);
  const main = summarizeProfile(mainProfile, { ...window, top: 15 });
  const refresh = workStretches(mainProfile, { ...window, isWork: isRefreshWork, stepOf: refreshStep });
  const workers = files.workers.map((f) => summarizeProfile(readProfile(f), { ...window, top: 10 }));
  const refreshes = result.refreshes.length;
  return {
    dir: profileDir, files: [files.main, ...files.workers], windowMs: result.load.totalMs, refreshes, rps: result.load.rps, p99Ms: result.load.p99Ms,
    mainThread: {
      busyMs: main.busyMs, refreshMs: refresh.workMs, refreshMsPerRefresh: refresh.workMs / Math.max(1, refreshes),
      longestBlocksMs: refresh.runs.map((r) => r.ms).sort((a, b) => b - a).slice(0, 5),
      ...attributeRuns(refresh.runs, result.refreshes, exitedAt),
      self: main.self, ownInclusive: main.ownInclusive,
    },
    workers: workers.map((w) => ({ busyMs: w.busyMs, self: w.self })),
  };
}

const replay = await startReplayServer({ fixturesDir: FIXTURES });
const services = [];
try {
  // Both load at once; whichever started is stopped in the finally even if the other failed.
  const started = await Promise.allSettled([startService('idle', replay, IDLE_LIVE), startService('busy', replay, BUSY_LIVE)]);
  services.push(...started.filter((s) => s.status === 'fulfilled').map((s) => s.value));
  for (const s of started) if (s.status === 'rejected') throw s.reason;
  const [idle, busy] = services;
  const { ids } = idle;

  // Warm-up (JIT, connections) of each, in the state it is measured in.
  await pause(busy);
  await load(idle, { seconds: warmupSeconds });
  resume(busy);
  await load(busy, { seconds: warmupSeconds });

  const measured = [];
  for (let round = 1; round <= rounds; round++) {
    await pause(busy);
    measured.push(await measure(idle, 'idle', round));
    resume(busy);
    measured.push(await measure(busy, 'busy', round));
  }
  const idleStats = pool(measured.filter((m) => m.phase === 'idle'));
  const busyStats = pool(measured.filter((m) => m.phase === 'busy'));
  if (idleStats.refreshes > 0) throw new Error(`the idle service refreshed ${idleStats.refreshes} times during its phases`);

  // Main-thread CPU a refresh costs: the busy phase's, less what its calls cost at the idle rate.
  const mainCpuPerCallS = idleStats.mainThreadCpuS / idleStats.calls;
  const mainThreadMsPerRefresh = busyStats.refreshes === 0 ? NaN : ((busyStats.mainThreadCpuS - mainCpuPerCallS * busyStats.calls) / busyStats.refreshes) * 1000;

  await Promise.all(services.splice(0).map((s) => { resume(s); return s.close(); }));
  const profile = args.profile === undefined ? undefined : await profileBusy(replay, resolve(args.profile));

  const ratio = busyStats.p99Ms / idleStats.p99Ms;
  const perRound = measured.map((m) => ({ ...row(`${m.phase} ${m.round}`, pool([m])) }));
  report({
    bench: 'refresh-stall', loaderNice: LOADER_NICE, rounds, secondsPerPhase: seconds, concurrency: CONCURRENCY, key: KEY, exchanges: ids,
    idle: idleStats, busy: busyStats, p99Ratio: ratio, mainThreadMsPerRefreshEstimate: mainThreadMsPerRefresh,
    phases: measured.map((m) => ({ phase: m.phase, round: m.round, ok: m.load.ok, p50Ms: m.load.p50Ms, p99Ms: m.load.p99Ms, refreshes: m.refreshes.length, exchanges: [...new Set(m.refreshes.map((r) => r.exchange))], cpu: m.cpu, eventLoopLagMs: m.lag })),
    ...(profile === undefined ? {} : { profile }),
    targets: [{ name: `GetInstrument p99 while every exchange refreshes back to back <= ${TARGET_RATIO}x idle p99`, measured: `${ratio.toFixed(2)}x (${busyStats.p99Ms.toFixed(1)} ms vs ${idleStats.p99Ms.toFixed(1)} ms; ${busyStats.refreshesPerS.toFixed(1)} refreshes/s over ${busyStats.exchangesRefreshed}/${ids.length} exchanges)`, met: ratio <= TARGET_RATIO }],
  }, [...perRound, row('idle (pooled)', idleStats), row('busy (pooled)', busyStats)]);
  if (profile !== undefined) printProfile(profile);
} finally {
  await Promise.all(services.map((s) => { resume(s); return s.close(); }));
  await replay.close();
}

function printProfile(profile) {
  const table = (title, entries) => {
    console.log(`\n${title}\n| ms | function |\n|---|---|`);
    for (const { fn, ms } of entries) console.log(`| ${ms.toFixed(0)} | ${fn} |`);
  };
  console.log(`\nProfile of a busy phase (${profile.windowMs.toFixed(0)} ms, ${profile.refreshes} refreshes, ${profile.rps.toFixed(0)} calls/s; files in ${profile.dir}):`);
  const m = profile.mainThread;
  console.log(`main thread busy ${m.busyMs.toFixed(0)} ms, of which refresh pipeline ${m.refreshMs.toFixed(0)} ms (${m.refreshMsPerRefresh.toFixed(1)} ms per refresh, GC not included); longest uninterrupted refresh stretches (GC included): ${m.longestBlocksMs.map((ms) => ms.toFixed(0)).join(', ')} ms`);
  console.log(`\nMain thread per refresh, by exchange (stretches matched to their log line; ${m.unmatchedRuns} unmatched)\n| exchange | instruments | refreshes | median block ms | max block ms | mean ms per step |\n|---|---|---|---|---|---|`);
  for (const e of m.perExchange) console.log(`| ${e.exchange} | ${e.instruments} | ${e.refreshes} | ${e.medianBlockMs.toFixed(0)} | ${e.maxBlockMs.toFixed(0)} | ${Object.entries(e.stepsMs).map(([k, ms]) => `${k} ${ms.toFixed(1)}`).join(', ')} |`);
  table('Main thread, self time', profile.mainThread.self);
  table('Main thread, inclusive time of the service\'s own functions', profile.mainThread.ownInclusive);
  profile.workers.forEach((w, i) => table(`Worker ${i + 1} (busy ${w.busyMs.toFixed(0)} ms), self time`, w.self));
}
