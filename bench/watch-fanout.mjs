#!/usr/bin/env node
// Watch fan-out: 1,000 concurrent WatchChanges streams (no filter, from now) on one `instruments
// serve`, spread over separate client processes and HTTP/2 connections; a batch of exactly 1,000
// changes goes the real way (replay exchange → CCXT → convert → guard → diff → apply → publish)
// and the bench measures, per stream, receipt wall time − the batch's applied_time, checks that
// every stream got every change, and reports the server's RSS before/after opening the streams
// and after the batches.
//
// The batch: the replay exchange serves binance spot's exchangeInfo with PRICE_FILTER tickSize ×10
// for 1,000 TRADING symbols (then the recording again, and so on: each flip is 1,000 changes, all
// `tick_size`). The service refreshes binance every --interval seconds without jitter, so it picks
// each flip up soon; not every 0.5 s, because one binance load (spot, USD-M, COIN-M) costs ~0.5 s
// of CPU in the loader worker, which on a small machine would keep a core busy throughout.
//
// Clients: --processes processes (bench/support/watch-client.mjs), each spreading its streams over
// --channels connections of its own. The server sets no grpc.max_concurrent_streams, so Node's
// HTTP/2 default (2^32−1 streams per connection) would allow one connection; many connections are
// what 1,000 watchers look like. --client-window sets the clients' HTTP/2 receive window (grpc-js
// default 64 KiB). The clients count changes without decoding them (see watch-client.mjs).
//
// Baseline, measured in the same run: the same batch to a single stream, before the 1,000 open.
// applied_time is taken when CCXT's loadMarkets returns in the loader worker, before conversion,
// guard, diff and the journal's fsync, so the baseline is what the pipeline costs with nothing to
// fan out; the ratio is what fanning out to 1,000 adds. publishedMs is when the server logs the
// refresh, which is after the store has handed the batch to every watcher (synchronously).
//
// applied_time is a JS Date on the server (millisecond precision, sent as a Timestamp); receipt
// times are performance.timeOrigin + performance.now() in the client processes (same machine, same
// wall clock). RSS is the server's VmRSS: before the streams open, once they are, after each batch.
//
//   npm run build && node bench/watch-fanout.mjs [--streams 1000] [--processes 2] [--channels 10]
//     [--batches 3] [--interval 2] [--client-window BYTES] [--cpu-prof DIR] [--smoke]
// --channels is per client process; --cpu-prof writes V8 CPU profiles of the server (main thread
// and loader worker) and of the client processes into DIR.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';
import { procStatusMb } from './support/memory.mjs';
import { benchArgs, quantile, report } from './support/report.mjs';
import { FIXTURES, startLoadedService } from './support/service-process.mjs';

const args = benchArgs({
  streams: { type: 'string', default: '1000' }, processes: { type: 'string', default: '2' },
  channels: { type: 'string', default: '10' }, batches: { type: 'string', default: '3' },
  interval: { type: 'string', default: '2' }, 'cpu-prof': { type: 'string' }, 'client-window': { type: 'string' },
});
const smoke = args.smoke;
const STREAMS = smoke ? 20 : Number(args.streams);
const PROCESSES = smoke ? 2 : Number(args.processes);
const CHANNELS = smoke ? 2 : Number(args.channels);
const BATCHES = smoke ? 1 : Number(args.batches);
const BATCH_SIZE = 1000;
const TARGET_P99_MS = 500;
const BATCH_TIMEOUT_MS = smoke ? 15_000 : 60_000;
const SPOT_URL = 'https://api.binance.com/api/v3/exchangeInfo';
const PREFIX = 'binance';
const CLIENT = new URL('./support/watch-client.mjs', import.meta.url).pathname;

/** A decimal string times ten, exactly, by moving the point ("0.00010000" → "0.00100000"). */
function timesTen(decimal) {
  const [int, frac = ''] = decimal.split('.');
  const digits = int + frac.padEnd(1, '0');
  const newInt = digits.slice(0, int.length + 1).replace(/^0+(?=\d)/, '');
  const newFrac = digits.slice(int.length + 1);
  return newFrac === '' ? newInt : `${newInt}.${newFrac}`;
}

/** The recorded spot exchangeInfo with tickSize ×10 for the first `count` TRADING symbols. */
function tickSizeVariant(recorded, count) {
  const info = JSON.parse(recorded);
  let changed = 0;
  for (const symbol of info.symbols) {
    if (changed === count) break;
    const filter = symbol.filters.find((f) => f.filterType === 'PRICE_FILTER');
    if (symbol.status !== 'TRADING' || filter === undefined || Number(filter.tickSize) === 0) continue;
    filter.tickSize = timesTen(filter.tickSize);
    changed++;
  }
  if (changed !== count) throw new Error(`only ${changed} TRADING symbols with a tick size, wanted ${count}`);
  return JSON.stringify(info);
}

/** Server resident set size in MiB, from /proc (Linux). */
const rssMiB = (pid) => procStatusMb(pid).rssMb;

/** One watch-client process: its stdout lines as messages, awaited one kind at a time. */
class ClientProcess {
  constructor(port, streams, channels, nodeArgs) {
    this.streams = streams;
    this.child = spawn(process.execPath, [...nodeArgs, CLIENT, '--port', String(port), '--streams', String(streams), '--channels', String(channels), '--expect', String(BATCH_SIZE), ...(args['client-window'] === undefined ? [] : ['--window', args['client-window']])], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.inbox = [];
    this.waiters = [];
    this.errors = [];
    this.exited = new Promise((resolve) => this.child.once('exit', resolve));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.deliver(JSON.parse(line)));
  }

  deliver(message) {
    if (message.type === 'error') {
      // A stream that ends before the watches are all open fails the opening at once.
      this.errors.push(message);
      for (const w of this.waiters.filter((x) => x.type === 'ready')) w.resolve(null);
      return;
    }
    const waiter = this.waiters.find((w) => w.type === message.type);
    if (waiter === undefined) this.inbox.push(message);
    else waiter.resolve(message);
  }

  /** The next message of `type`, or null after `timeoutMs` (or if the process exits). */
  next(type, timeoutMs) {
    const queued = this.inbox.findIndex((m) => m.type === type);
    if (queued >= 0) return Promise.resolve(this.inbox.splice(queued, 1)[0]);
    return new Promise((resolve) => {
      const waiter = { type, resolve: (m) => {
        clearTimeout(timer);
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        resolve(m);
      } };
      const timer = setTimeout(() => waiter.resolve(null), timeoutMs);
      this.waiters.push(waiter);
      this.exited.then(() => waiter.resolve(null));
    });
  }

  /** This process's report of the next batch; when it is late, what its streams have so far. */
  async nextBatch(timeoutMs) {
    const complete = await this.next('batch', timeoutMs);
    if (complete !== null) return complete;
    this.command('report');
    return this.next('batch', 5_000);
  }

  command(line) {
    if (this.child.stdin.writable) this.child.stdin.write(`${line}\n`);
  }

  async stop() {
    this.command('exit');
    this.child.stdin.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Opens `streams` watches over `processes` client processes; resolves once every one is live. */
async function openStreams(port, streams, processes, channels, nodeArgs) {
  const per = Array.from({ length: processes }, (_, i) => Math.floor(streams / processes) + (i < streams % processes ? 1 : 0)).filter((n) => n > 0);
  const clients = per.map((n) => new ClientProcess(port, n, Math.min(channels, n), nodeArgs));
  const ready = await Promise.all(clients.map((c) => c.next('ready', 60_000)));
  if (ready.some((r) => r === null)) {
    await Promise.all(clients.map((c) => c.stop()));
    throw new Error(`streams did not open (within 60 s): ${JSON.stringify(clients.map((c) => c.errors.slice(0, 3)))}`);
  }
  return clients;
}

/**
 * Switches the replay exchange to the other spot answer and gathers, from every client process,
 * when each stream got the resulting batch. `loaded` is the server's "markets loaded" log lines.
 */
async function runBatch(replay, variant, clients, index, loaded) {
  // Even flips serve the variant, odd ones the recording again: each flip is BATCH_SIZE changes.
  replay.override(SPOT_URL, index % 2 === 0 ? { body: variant } : null, { prefix: PREFIX });
  const reports = await Promise.all(clients.map((c) => c.nextBatch(BATCH_TIMEOUT_MS)));
  const received = [];
  const changes = [];
  let appliedMs = NaN;
  let revision = NaN;
  for (const [i, r] of reports.entries()) {
    if (r === null) { changes.push(...new Array(clients[i].streams).fill(0)); continue; }
    appliedMs = r.appliedMs;
    revision = r.revision;
    received.push(...r.received.filter((t) => t !== null));
    changes.push(...r.changes);
  }
  const latencies = received.map((t) => t - appliedMs);
  const first = Math.min(...received);
  const log = loaded.find((l) => l.revision === revision);
  return {
    revision, streams: changes.length, complete: changes.filter((n) => n === BATCH_SIZE).length,
    changesMin: Math.min(...changes), changesMax: Math.max(...changes),
    serverBatch: log?.changes, ccxtLoadMs: log?.durationMs,
    // The server logs "markets loaded" after the store has published (synchronously) to every watcher.
    publishedMs: log === undefined ? NaN : log.time - appliedMs,
    p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), maxMs: Math.max(...latencies),
    firstMs: first - appliedMs, spreadP99Ms: quantile(received.map((t) => t - first), 0.99),
    checked: reports.map((r) => r?.checked ?? null),
  };
}

const replay = await startReplayServer({ fixturesDir: FIXTURES });
const clients = [];
let server;
try {
  const recorded = readFileSync(join(FIXTURES, 'binance/api_v3_exchangeInfo.json'), 'utf8');
  const variant = tickSizeVariant(recorded, BATCH_SIZE);
  const loaded = [];
  const nodeArgs = args['cpu-prof'] === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${args['cpu-prof']}`];
  server = await startLoadedService({
    replay, ids: ['binance'], proxyUrl: replay.proxyUrlFor(PREFIX),
    live: { update_interval_seconds: Number(args.interval), jitter_ratio: 0 },
    nodeArgs, onLog: (entry) => { if (entry.msg === 'markets loaded' && entry.changes > 0) loaded.push(entry); },
  });
  const { port, pid } = server;

  // Baseline: one watcher, one batch.
  let flips = 0;
  const single = await openStreams(port, 1, 1, 1, []);
  clients.push(...single);
  const baseline = await runBatch(replay, variant, single, flips++, loaded);
  await single[0].stop();
  clients.length = 0;

  const rssBefore = rssMiB(pid);
  clients.push(...await openStreams(port, STREAMS, PROCESSES, CHANNELS, nodeArgs));
  const rssOpen = rssMiB(pid);
  const batches = [];
  for (let b = 0; b < BATCHES; b++) batches.push({ ...await runBatch(replay, variant, clients, flips++, loaded), rssMiB: rssMiB(pid) });
  const rssAfter = batches.at(-1).rssMiB;
  // Bounded: what the batches add stays put from one batch to the next instead of accumulating.
  const rssBounded = rssAfter <= batches[0].rssMiB * 1.25;
  const streamErrors = clients.flatMap((c) => c.errors);

  const worstP99 = Math.max(...batches.map((b) => b.p99Ms));
  const allReceived = batches.every((b) => b.complete === STREAMS && b.changesMax === BATCH_SIZE) && streamErrors.length === 0;
  const row = (name, b, rss) => ({ batch: name, streams: b.streams, complete: b.complete, changes: b.changesMin === b.changesMax ? b.changesMin : `${b.changesMin}..${b.changesMax}`, p50Ms: b.p50Ms, p99Ms: b.p99Ms, maxMs: b.maxMs, firstMs: b.firstMs, spreadP99Ms: b.spreadP99Ms, publishedMs: b.publishedMs, serverRssMiB: rss });
  const blank = { batch: `${STREAMS} streams opened`, streams: STREAMS, complete: '', changes: '', p50Ms: '', p99Ms: '', maxMs: '', firstMs: '', spreadP99Ms: '', publishedMs: '', serverRssMiB: rssOpen };
  report({
    bench: 'watch-fanout', smoke, streams: STREAMS, processes: PROCESSES, channelsPerProcess: CHANNELS, batchSize: BATCH_SIZE, intervalSeconds: Number(args.interval),
    baseline, batches,
    rssMiB: { beforeStreams: rssBefore, streamsOpen: rssOpen, afterEachBatch: batches.map((b) => b.rssMiB), perStreamKiB: ((rssOpen - rssBefore) * 1024) / STREAMS, batchesGrowth: rssAfter - rssOpen },
    streamErrors: streamErrors.slice(0, 10), streamErrorCount: streamErrors.length,
    ratioP99ToBaseline: worstP99 / baseline.p99Ms,
    targets: [
      { name: `${STREAMS} streams: p99 from applied_time to receipt ≤ ${TARGET_P99_MS} ms (worst batch)`, measured: `${worstP99.toFixed(0)} ms (baseline 1 stream: ${baseline.p99Ms.toFixed(0)} ms)`, met: worstP99 <= TARGET_P99_MS },
      { name: `every stream received all ${BATCH_SIZE} changes of every batch`, measured: batches.map((b) => `${b.complete}/${b.streams}`).join(', ') + `, ${streamErrors.length} stream errors`, met: allReceived },
      { name: 'server RSS bounded: after the last batch ≤ 1.25 × after the first', measured: `${rssBefore.toFixed(0)} MiB → ${rssOpen.toFixed(0)} MiB with the streams open (${(((rssOpen - rssBefore) * 1024) / STREAMS).toFixed(1)} KiB per stream) → ${batches.map((b) => b.rssMiB.toFixed(0)).join(', ')} MiB after each batch`, met: rssBounded },
    ],
  }, [row('baseline (1 stream)', baseline, rssBefore), blank, ...batches.map((b, i) => row(String(i + 1), b, b.rssMiB))]);
} finally {
  await Promise.all(clients.map((c) => c.stop()));
  await server?.close();
  await replay.close();
}
