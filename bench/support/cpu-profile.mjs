#!/usr/bin/env node
// V8 CPU profiles for the benches, in one place: recording a section of this process, finding the
// files `node --cpu-prof` wrote, and summarising any .cpuprofile.
//
//   node bench/support/cpu-profile.mjs [--top 25] [--since-ms N] [--last-ms N] [--skip-end-ms N]
//        [--match REGEX] [--lines NAME ...] [--sum] [--json] FILE.cpuprofile [FILE...]
//
// Per file (or, with --sum, all files added together): the busy (non-idle) time by area (grpc-js,
// Node's http2/net, ts-proto encode/decode, our handlers, the metrics interceptor and prom-client,
// GC, ...), the functions with the most self time, and the most total time (self + callees);
// shares are of the busy time. `--match` lists the total time of every function whose name or
// file matches (e.g. --match 'applyExchange|buildView|changedFields|decode'); `--lines NAME` shows
// where in function NAME its self time is, source line by source line.
// Time windows: `--since-ms N` leaves out the first N ms of each profile (a service's startup and
// loading: bench/unary-lookup.mjs --profile prints the N to use); `--last-ms N` keeps only the
// last N ms and `--skip-end-ms N` leaves out the final N ms (e.g. shutdown).
//
// Files: `node --cpu-prof --cpu-prof-dir=DIR` writes one profile per thread at exit, named
// CPU.<date>.<time>.<pid>.<threadId>.<seq>.cpuprofile; thread 0 is the main thread (the one that
// answers RPCs), the others are worker threads (CCXT's market loaders): DIR/CPU.*.0.*.cpuprofile
// are the main threads. profilesOf(dir, pid) sorts one process's files into main and workers.
//
// e.g. node bench/unary-lookup.mjs --profile /tmp/prof, then
//      node bench/support/cpu-profile.mjs --since-ms 9000 /tmp/prof/CPU.*.0.*.cpuprofile
//
// Conventions: a sample stands for the time until the next one (as in Chrome DevTools). Native
// frames (no script URL: writev, Buffer copies, ...) count in the area of their nearest JavaScript
// caller, so "grpc-js" includes the natives grpc-js calls. Samples of the profiler starting itself
// (under node:inspector, in profiles recorded with startProfile) are left out.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = new URL('../..', import.meta.url).pathname;

function post(session, method, params = {}) {
  return new Promise((resolve, reject) => session.post(method, params, (err, result) => (err ? reject(err) : resolve(result))));
}

/**
 * Starts sampling this thread every `intervalUs`, so that a profile shows only the work measured,
 * not the process start; `stop(file)` writes the profile (when `file` is given) and returns it.
 */
export async function startProfile(intervalUs = 100) {
  const session = new Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: intervalUs });
  await post(session, 'Profiler.start');
  return {
    async stop(file) {
      const { profile } = await post(session, 'Profiler.stop');
      session.disconnect();
      if (file) writeFileSync(file, JSON.stringify(profile));
      return profile;
    },
  };
}

export function readProfile(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The profiles in `dir` written by process `pid`: { main, workers: [] } (paths; main undefined if none). */
export function profilesOf(dir, pid) {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile') && f.split('.')[3] === String(pid)).sort().map((f) => join(dir, f));
  const isMain = (path) => basename(path).split('.')[4] === '0';
  return { main: files.find(isMain), workers: files.filter((f) => !isMain(f)) };
}

/** The area a script URL belongs to; undefined for no URL (natives, V8's pseudo-frames). */
export function areaOf(url) {
  if (!url) return undefined;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg === '@grpc/grpc-js') return 'grpc-js';
  if (pkg === 'prom-client' || url.includes('/src/adapters/metrics/')) return 'metrics (interceptor, prom-client)';
  if (pkg === '@bufbuild/protobuf' || url.includes('/gen/ts/')) return 'ts-proto encode/decode (+ @bufbuild/protobuf wire)';
  if (pkg !== undefined) return `node_modules: ${pkg}`;
  if (url.includes('/src/rpc/') || url.includes('/src/store/') || url.includes('/src/domain/')) return 'our handlers (rpc, store, domain)';
  if (url.includes('/dist/src/')) return 'our other code (dist/src)';
  if (url.includes('/bench/')) return 'bench harness (bench/)';
  if (/^node:(internal\/)?(http2|net|stream|internal\/streams|dns|tls)/.test(url)) return 'node: http2/net/streams';
  if (url.startsWith('node:')) return 'node: other internals';
  return `other: ${url}`;
}

/** V8's pseudo-frames: their name is their area. */
const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);
/** Frames left out of total time: they are on every stack, or are no work. */
const ROOTS = new Set(['(root)', '(program)', '(idle)']);

/** "name file:line": files under node_modules from there, files of this repo relative to it. */
export function frameName({ functionName, url, lineNumber }) {
  if (!url) return functionName || '(anonymous)';
  const file = url.startsWith('file://') ? url.slice('file://'.length) : url;
  const inModules = file.lastIndexOf('node_modules/');
  const where = inModules >= 0 ? file.slice(inModules) : file.startsWith(ROOT) ? file.slice(ROOT.length) : file;
  return `${functionName || '(anonymous)'} ${where}:${lineNumber + 1}`;
}

/**
 * What every node of a profile stands for, computed once per node: its stack (call frames,
 * innermost first), its name, its area, the names on its stack (each once) for total time, and
 * whether it is the profiler's own start.
 */
function nodeInfo(profile) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const memo = new Map();
  const info = (id) => {
    let entry = memo.get(id);
    if (entry !== undefined) return entry;
    const { callFrame } = byId.get(id);
    const up = parent.has(id) ? info(parent.get(id)) : undefined;
    const name = frameName(callFrame);
    const area = PSEUDO.has(callFrame.functionName) ? callFrame.functionName : areaOf(callFrame.url) ?? up?.area ?? '(native, no caller)';
    const frames = [callFrame, ...(up?.frames ?? [])];
    const onStack = new Map(up?.onStack ?? []);
    if (!ROOTS.has(callFrame.functionName) && !onStack.has(name)) onStack.set(name, callFrame.url.includes('/dist/src/'));
    entry = { name, area, frames, onStack, idle: callFrame.functionName === '(idle)', inspector: callFrame.url === 'node:inspector' || Boolean(up?.inspector) };
    memo.set(id, entry);
    return entry;
  };
  return info;
}

/**
 * Calls `visit(nodeId, t, dt)` (µs, profile clock) for every sample inside the window: from
 * `sinceMs` after the profile's start, and within the last `lastMs` before its end less the final
 * `skipEndMs`. A sample lasts until the next one (the last one until the profile's end).
 */
function forEachSample(profile, { sinceMs = 0, lastMs = Infinity, skipEndMs = 0 }, visit) {
  const to = profile.endTime - skipEndMs * 1000;
  const from = Math.max(profile.startTime + sinceMs * 1000, to - lastMs * 1000);
  const { samples, timeDeltas } = profile;
  let t = profile.startTime;
  for (let i = 0; i < samples.length; i++) {
    t += timeDeltas[i];
    if (t < from || t > to) continue;
    const dt = i + 1 < samples.length ? timeDeltas[i + 1] : profile.endTime - t;
    visit(samples[i], t, Math.max(0, dt));
  }
}

/**
 * Where the time of one profile, or of several added together, went over a window (see
 * forEachSample: `sinceMs`, `lastMs`, `skipEndMs`). Returns { totalMs, idleMs, busyMs, areas,
 * self, total, ownInclusive, matched? }: `areas` [{ area, ms, share }], `self` [{ fn, area, ms,
 * share }] (idle left out), `total` [{ fn, ms, share }] (self + callees, each function once per
 * sample however deep it recurses), `ownInclusive` the same for the service's own functions
 * (dist/src) only; the three lists ranked and cut to `top`; `matched`, with `match` (a regex
 * source), every function of `total` whose name matches. Shares are of the busy (non-idle) time.
 */
export function summarizeProfile(profiles, { top = 25, match, ...window } = {}) {
  const self = new Map();
  const total = new Map();
  const areas = new Map();
  const add = (map, key, us, fields) => {
    const entry = map.get(key) ?? { ...fields, us: 0 };
    entry.us += us;
    map.set(key, entry);
  };
  const own = new Set();
  let totalUs = 0;
  let idleUs = 0;
  for (const profile of [profiles].flat()) {
    const info = nodeInfo(profile);
    forEachSample(profile, window, (id, _t, dt) => {
      const node = info(id);
      if (node.inspector) return;
      totalUs += dt;
      if (node.idle) { idleUs += dt; return; }
      add(self, node.name, dt, { fn: node.name, area: node.area });
      add(areas, node.area, dt, { area: node.area });
      for (const [name, isOwn] of node.onStack) {
        add(total, name, dt, { fn: name });
        if (isOwn) own.add(name);
      }
    });
  }
  const busyUs = totalUs - idleUs;
  const out = ({ us, ...fields }) => ({ ...fields, ms: us / 1000, share: busyUs > 0 ? us / busyUs : 0 });
  const ranked = (entries) => [...entries].sort((a, b) => b.us - a.us).map(out);
  const totals = ranked(total.values());
  return {
    totalMs: totalUs / 1000, idleMs: idleUs / 1000, busyMs: busyUs / 1000,
    areas: ranked(areas.values()),
    self: ranked(self.values()).slice(0, top),
    total: totals.slice(0, top),
    ownInclusive: ranked([...total.values()].filter((e) => own.has(e.fn))).slice(0, top),
    ...(match === undefined ? {} : { matched: totals.filter((e) => new RegExp(match).test(e.fn)) }),
  };
}

/**
 * Stretches of one thread's time spent in some work without a break, over a window (as in
 * summarizeProfile): e.g. how long one refresh kept the main thread from answering RPCs.
 * `isWork(frames)` says whether a sample's stack (call frames, innermost first) is that work and
 * `stepOf(frames)` names its step. Garbage collection inside a stretch counts in it (step 'gc');
 * other work between two samples of it, up to `gapMs` (e.g. the message-port or promise plumbing
 * between steps), counts in it as 'other'; more other work, or the thread going idle, ends it.
 * Returns { workMs (the work's samples alone, GC not included), runs: [{ endMsBeforeProfileEnd,
 * ms, steps: { step: ms } }] }.
 */
export function workStretches(profile, { isWork, stepOf, gapMs = 2, ...window }) {
  const info = nodeInfo(profile);
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  let workUs = 0;
  const runs = [];
  let run;
  const endRun = () => {
    if (run?.hasWork) runs.push({ endMsBeforeProfileEnd: (profile.endTime - run.endUs) / 1000, ms: run.us / 1000, steps: Object.fromEntries([...run.steps].map(([k, us]) => [k, us / 1000])) });
    run = undefined;
  };
  forEachSample(profile, window, (id, t, dt) => {
    const node = info(id);
    if (node.idle) { endRun(); return; }
    const inWork = isWork(node.frames);
    const step = node.frames[0].functionName === '(garbage collector)' ? 'gc' : inWork ? stepOf(node.frames) : 'other';
    if (inWork) workUs += dt;
    if (inWork || step === 'gc') {
      run ??= { us: 0, endUs: t, gapUs: 0, hasWork: false, steps: new Map() };
      if (run.gapUs > 0) { run.us += run.gapUs; add(run.steps, 'other', run.gapUs); run.gapUs = 0; }
      run.us += dt;
      run.endUs = t + dt;
      run.hasWork ||= inWork;
      add(run.steps, step, dt);
    } else if (run !== undefined) {
      run.gapUs += dt;
      if (run.gapUs > gapMs * 1000) endRun();
    }
  });
  endRun();
  return { workMs: workUs / 1000, runs };
}

/** Lines for people: a summarizeProfile() result. */
export function formatSummary(summary) {
  const row = (e) => `${e.ms.toFixed(1).padStart(9)} ms ${(100 * e.share).toFixed(1).padStart(5)}%  ${e.fn ?? e.area}${e.fn && e.area ? `  [${e.area}]` : ''}`;
  const lines = [`profiled ${summary.totalMs.toFixed(0)} ms, busy (not idle) ${summary.busyMs.toFixed(0)} ms; shares are of busy time`];
  lines.push('-- by area --', ...summary.areas.map(row));
  lines.push('-- self time --', ...summary.self.map(row));
  lines.push('-- total time (self + callees) --', ...summary.total.map(row));
  if (summary.matched) lines.push('-- total time of the matching functions --', ...summary.matched.map(row));
  return lines;
}

/**
 * Lines for people: the source lines of function `name` with the most samples (its self time by
 * line; V8 records line ticks per function, inlined callees count in their caller's line).
 */
export function formatLines(profile, name, top = 12) {
  const ticks = new Map();
  let url;
  for (const node of profile.nodes) {
    if (node.callFrame.functionName !== name) continue;
    url = node.callFrame.url;
    for (const { line, ticks: n } of node.positionTicks ?? []) ticks.set(line, (ticks.get(line) ?? 0) + n);
  }
  if (url === undefined) return [`-- no function ${name} --`];
  let source = [];
  try { source = readFileSync(new URL(url), 'utf8').split('\n'); } catch { /* source not readable: line numbers only */ }
  const all = [...ticks.values()].reduce((a, b) => a + b, 0);
  const rows = [...ticks].sort((a, b) => b[1] - a[1]).slice(0, top);
  return [`-- ${name} (${basename(url)}) by line: ${all} samples --`, ...rows.map(([line, n]) => `${(100 * n / all).toFixed(1).padStart(5)}%  ${String(line).padStart(4)}: ${(source[line - 1] ?? '').trim().slice(0, 110)}`)];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values, positionals } = parseArgs({
    options: {
      top: { type: 'string', default: '25' }, 'since-ms': { type: 'string', default: '0' }, 'last-ms': { type: 'string' }, 'skip-end-ms': { type: 'string', default: '0' },
      match: { type: 'string' }, lines: { type: 'string', multiple: true, default: [] }, sum: { type: 'boolean', default: false }, json: { type: 'boolean', default: false },
    },
    allowPositionals: true,
  });
  if (positionals.length === 0) {
    console.error('usage: cpu-profile.mjs [--top N] [--since-ms N] [--last-ms N] [--skip-end-ms N] [--match REGEX] [--lines NAME ...] [--sum] [--json] FILE.cpuprofile [FILE...]');
    process.exit(2);
  }
  const options = {
    top: Number(values.top), match: values.match, sinceMs: Number(values['since-ms']), skipEndMs: Number(values['skip-end-ms']),
    ...(values['last-ms'] === undefined ? {} : { lastMs: Number(values['last-ms']) }),
  };
  const groups = values.sum ? [positionals] : positionals.map((file) => [file]);
  for (const files of groups) {
    const profiles = files.map(readProfile);
    const summary = summarizeProfile(profiles, options);
    if (values.json) { console.log(JSON.stringify({ files, ...summary })); continue; }
    console.log(`\n# ${files.join(' + ')}`);
    for (const line of formatSummary(summary)) console.log(line);
    for (const name of values.lines) for (const profile of profiles) for (const line of formatLines(profile, name)) console.log(line);
  }
}
