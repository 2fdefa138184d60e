// Load generation with ghz (.tools/bin/ghz, installed by scripts/ensure-tools.mjs), the gRPC load
// generator of the unary benches (unary-lookup, batch-get, refresh-stall): one ghz process per run
// against a server on 127.0.0.1 (plaintext, one connection, a fixed duration with -z), optionally
// after a short warm-up run against the same server, its JSON report reduced to what benches report.
//
// Calls go through a .proto file, not reflection, so the real service and the bare baseline server
// (bare-server.mjs, no reflection) are treated alike: the service's own (SERVICE_PROTO, ghz decodes
// every response fully) or OPAQUE_PROTO (opaque-responses.proto: same paths, responses declared
// empty, so ghz's cost no longer grows with the response).
//
// CPU split: the machine has 2 cores. ghz gets one (`--cpus 1`, Go's GOMAXPROCS) and the server
// under test the other (Node runs JavaScript on one thread anyway), so neither starves the other.
// Measured: ghz spends about as much CPU per GetInstrument call as the service does (~0.1 ms),
// more than the bare grpc-js server, so at high concurrency one ghz core can be the limit. Given
// the server's pid, a run therefore reports the cores ghz and the server used (/proc, see
// proc-cpu.mjs), the server's main thread apart, and the server's CPU per OK call.
//
// Latency: every OK call's latency is in ghz's report (`details`); quantiles are taken from those
// (nearest rank, report.mjs), and with `keepLatencies` the run returns them so that several runs
// can be pooled before taking quantiles (refresh-stall).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cpuBetween, cpuTimes, exitedChildrenCpuSeconds } from './proc-cpu.mjs';
import { quantile } from './report.mjs';
import { ROOT } from './service-process.mjs';

export const GHZ = join(ROOT, '.tools/bin/ghz');
export const GHZ_CPUS = 1;
export const SERVICE = 'instruments.v1.InstrumentService';
/** The service's own .proto: ghz decodes every response fully. */
export const SERVICE_PROTO = { file: 'proto/instruments/v1/instrument_service.proto', importPath: 'proto' };
/** Same paths, responses declared empty (see the file): ghz's cost no longer grows with the response. */
export const OPAQUE_PROTO = { file: 'bench/support/opaque-responses.proto', importPath: 'bench/support' };

/**
 * A -z run ends by cancelling the calls in flight, which ghz reports as Unavailable (or Canceled):
 * at most one per concurrent worker. Those are not server errors; any other non-OK status is.
 */
const END_OF_RUN_STATUSES = new Set(['Unavailable', 'Canceled']);

/** Throws, naming the fix, when the repo-local ghz is not installed. Call it before starting servers. */
export function requireGhz() {
  if (!existsSync(GHZ)) throw new Error(`ghz not found at ${GHZ}: install it with \`node scripts/ensure-tools.mjs --only ghz\``);
}

/** Runs ghz with `args` and resolves with its parsed JSON report. */
function execGhz(args) {
  requireGhz();
  return new Promise((resolve, reject) => {
    execFile(GHZ, args, { cwd: ROOT, maxBuffer: 1 << 30 }, (error, stdout, stderr) => {
      // ghz exits non-zero when any call failed, even the ones it cancelled itself: judge the report.
      let parsed;
      try { parsed = JSON.parse(stdout); } catch { /* fall through */ }
      if (parsed === undefined) reject(new Error(`ghz failed (${error?.message ?? 'no JSON output'}): ${stderr.trim()}`));
      else resolve(parsed);
    });
  });
}

/**
 * The figures of one ghz report: OK calls, calls per second, counts by status, p50/p99/max of OK
 * calls (ms) and, with `keepLatencies`, every OK call's latency (`latenciesMs`). Throws on any
 * error status other than the end-of-run cancellations, on more of those than `concurrency`, and
 * when no call succeeded.
 */
export function summarize(ghzReport, concurrency, { keepLatencies = false } = {}) {
  const statuses = ghzReport.statusCodeDistribution ?? {};
  const ok = statuses.OK ?? 0;
  let cancelledAtEnd = 0;
  for (const [status, count] of Object.entries(statuses)) {
    if (status === 'OK') continue;
    if (!END_OF_RUN_STATUSES.has(status)) throw new Error(`ghz: ${count} calls ended ${status}: ${JSON.stringify(ghzReport.errorDistribution)}`);
    cancelledAtEnd += count;
  }
  if (cancelledAtEnd > concurrency) throw new Error(`ghz: ${cancelledAtEnd} calls Unavailable/Canceled, more than the ${concurrency} in flight at the end: ${JSON.stringify(ghzReport.errorDistribution)}`);
  if (ok === 0) throw new Error('ghz: no call succeeded');
  // Durations in ghz's JSON are nanoseconds.
  const latenciesMs = (ghzReport.details ?? []).filter((d) => d.status === 'OK').map((d) => d.latency / 1e6);
  const totalMs = ghzReport.total / 1e6;
  return {
    ok, cancelledAtEnd, statuses, rps: ok / (totalMs / 1000), totalMs,
    p50Ms: quantile(latenciesMs, 0.5), p99Ms: quantile(latenciesMs, 0.99), maxMs: latenciesMs.reduce((a, b) => Math.max(a, b), 0),
    ...(keepLatencies ? { latenciesMs } : {}),
  };
}

/** Cores used on average over a run, from CPU seconds before and after (undefined off Linux). */
const coresUsed = (before, after, wallS) => (before === undefined || after === undefined ? undefined : (after - before) / wallS);

/**
 * A warm-up run of `warmupSeconds` (none by default), then a measured run of `seconds`, of
 * `method` (e.g. 'GetInstrument') on 127.0.0.1:`port` with `concurrency` workers over one
 * connection and `data` (the request as proto JSON). `proto` is SERVICE_PROTO (default) or
 * OPAQUE_PROTO. With `calls`, each run makes that many calls instead of running for a time: the
 * smoke runs, whose half-second windows can pass without one finished call on a busy machine.
 *
 * Returns the figures of summarize() plus when the measured run ran on the wall clock
 * (`startedAt`, `endedAt`: Date.now() ms; ghz gives its start to the second only, so it is
 * counted back from the end) and `ghzCores`, the cores ghz used. With `serverPid`, also the
 * server's CPU over the measured run: `serverCpu` (cpuBetween(): process and main thread, seconds
 * and cores), `serverCores` (whole process: near 1 means the server was the bottleneck) and
 * `serverUsPerCall` (CPU µs per OK call, which does not depend on who the bottleneck was).
 */
export async function runGhz({
  port, method, data, seconds, concurrency = 16, warmupSeconds = 0, serverPid, proto = SERVICE_PROTO, keepLatencies = false, calls,
}) {
  const span = (s) => (calls === undefined ? ['-z', `${s}s`] : ['-n', String(calls)]);
  const base = [
    '--insecure', '--proto', proto.file, '--import-paths', proto.importPath, '--call', `${SERVICE}.${method}`,
    '-d', JSON.stringify(data), '-c', String(concurrency), '--cpus', String(GHZ_CPUS),
    '--disable-template-functions', '--disable-template-data', '-O', 'json',
  ];
  const target = `127.0.0.1:${port}`;
  if (warmupSeconds > 0) summarize(await execGhz([...base, ...span(warmupSeconds), target]), concurrency);
  const started = { wall: performance.now(), ghz: exitedChildrenCpuSeconds(), server: serverPid && cpuTimes(serverPid) };
  const result = summarize(await execGhz([...base, ...span(seconds), target]), concurrency, { keepLatencies });
  const endedAt = Date.now();
  const wallMs = performance.now() - started.wall;
  // Both the server's CPU time and the OK count cover the measured run (ghz's startup aside).
  const serverCpu = serverPid ? cpuBetween(started.server, cpuTimes(serverPid), wallMs) : undefined;
  return {
    ...result,
    startedAt: endedAt - result.totalMs, endedAt,
    ghzCores: coresUsed(started.ghz, exitedChildrenCpuSeconds(), wallMs / 1000),
    serverCpu,
    serverCores: serverCpu?.processCores,
    serverUsPerCall: serverCpu === undefined ? undefined : (serverCpu.processS * 1e6) / result.ok,
  };
}
