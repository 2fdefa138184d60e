#!/usr/bin/env node
// Unary lookups: GetInstrument throughput and p99 latency of the real service (`instruments serve`,
// every fixture exchange loaded, metrics interceptor in the path as in production) at concurrency
// 1, 16 and 64, against the transport ceiling measured in the same run: a bare grpc-js server with
// no interceptors answering the same path with the same response bytes, pre-encoded
// (bench/support/bare-server.mjs).
//
// Load: ghz (bench/support/ghz.mjs), one connection, `--cpus 1`, a 1 s warm-up before every
// measured run. The two servers alternate (service, bare, service, bare, ...) so drift on the
// machine hits both alike; of the rounds, each server's best throughput and best p99 are kept
// (noise on a shared machine only makes runs slower, so the best is the closest to capacity).
// The table also gives the cores each server and ghz used (from /proc): a bare server well below
// one core with ghz near one means the ceiling measured is ghz's, not grpc-js's; and each server's
// CPU per call (µs, best round), which does not depend on who the bottleneck was.
//
//   npm run build && node bench/unary-lookup.mjs [--seconds 5] [--rounds 2] [--profile DIR] [--smoke]
//
// --profile DIR runs the service under `node --cpu-prof` (its ratios are then not representative)
// and prints the cpu-profile.mjs command for its main thread, skipping startup and loading.
import { GetInstrumentRequest, GetInstrumentResponse } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { spawnScript } from './support/child-script.mjs';
import { GHZ_CPUS, requireGhz, runGhz } from './support/ghz.mjs';
import { benchArgs, report } from './support/report.mjs';
import { call, startLoadedService, stopChild } from './support/service-process.mjs';

const args = benchArgs({
  seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '2' },
  profile: { type: 'string' },
});
const KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';
const CONCURRENCIES = [1, 16, 64];
const seconds = args.smoke ? 0.5 : Number(args.seconds);
const warmupSeconds = args.smoke ? 0.2 : 1;
const rounds = args.smoke ? 1 : Number(args.rounds);
// Smoke: a fixed number of calls, so a busy machine makes the run longer instead of empty.
const calls = args.smoke ? 200 : undefined;
const TARGET_RPS_RATIO = 0.9;
const TARGET_P99_RATIO = 1.2;
requireGhz();

/** The exact bytes the service answers for KEY, re-encoded from the decoded response. */
async function responseBytes(client) {
  const response = await call(client, 'getInstrument', GetInstrumentRequest.fromPartial({ instrumentKey: KEY }));
  if (response.instrument?.instrumentKey !== KEY) throw new Error(`GetInstrument ${KEY} answered ${JSON.stringify(response.instrument?.instrumentKey)}`);
  return Buffer.from(GetInstrumentResponse.encode(response).finish());
}

/**
 * Best rps and best p99 of a server's rounds at one concurrency, and the cores the server and
 * ghz used in the round with the best rps.
 */
function best(runs) {
  const top = runs.reduce((a, b) => (b.rps > a.rps ? b : a));
  return {
    rps: top.rps, p99Ms: Math.min(...runs.map((r) => r.p99Ms)), p50Ms: Math.min(...runs.map((r) => r.p50Ms)),
    serverCores: top.serverCores, ghzCores: top.ghzCores,
    serverUsPerCall: Math.min(...runs.map((r) => r.serverUsPerCall ?? NaN)),
  };
}

async function measure(servicePort, servicePid, barePort, barePid) {
  const results = [];
  for (const concurrency of CONCURRENCIES) {
    const runs = { service: [], bare: [] };
    const load = { method: 'GetInstrument', data: { instrument_key: KEY }, concurrency, seconds, warmupSeconds, calls };
    for (let round = 0; round < rounds; round++) {
      runs.service.push(await runGhz({ ...load, port: servicePort, serverPid: servicePid }));
      runs.bare.push(await runGhz({ ...load, port: barePort, serverPid: barePid }));
    }
    const service = best(runs.service);
    const bare = best(runs.bare);
    results.push({
      concurrency, service, bare, rpsRatio: service.rps / bare.rps, p99Ratio: service.p99Ms / bare.p99Ms,
      // The throughput ratio if each server were CPU-bound on a core of its own: independent of
      // ghz, and the figure to read when the table shows ghz near a full core.
      cpuBoundRpsRatio: bare.serverUsPerCall / service.serverUsPerCall, runs,
    });
  }
  return results;
}

const profileArgs = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
const service = await startLoadedService({ nodeArgs: profileArgs });
let bare;
let profileSinceMs;
try {
  const constant = await responseBytes(service.client);
  bare = spawnScript(new URL('./support/bare-server.mjs', import.meta.url).pathname, [constant.toString('hex')]);
  const barePort = Number(await bare.firstLine);
  // Where the load begins in the service's profile (from its spawn: a slight overestimate).
  profileSinceMs = Math.floor(performance.now() - service.spawnedAt);
  const results = await measure(service.port, service.pid, barePort, bare.child.pid);
  const targets = results.flatMap((r) => [
    { name: `GetInstrument throughput at concurrency ${r.concurrency} ≥ ${TARGET_RPS_RATIO}× bare grpc-js`, measured: `${r.rpsRatio.toFixed(2)}×`, met: r.rpsRatio >= TARGET_RPS_RATIO },
    { name: `GetInstrument p99 at concurrency ${r.concurrency} ≤ ${TARGET_P99_RATIO}× bare grpc-js`, measured: `${r.p99Ratio.toFixed(2)}×`, met: r.p99Ratio <= TARGET_P99_RATIO },
  ]);
  report({
    bench: 'unary-lookup', key: KEY, responseBytes: constant.length, exchanges: service.ids,
    load: { tool: 'ghz', cpus: GHZ_CPUS, connections: 1, seconds, warmupSeconds, rounds, pick: 'best of rounds (max rps, min p99)' },
    profiled: Boolean(args.profile), ...(args.profile ? { profileSinceMs } : {}), smoke: args.smoke, results, targets,
  }, results.map((r) => ({
    concurrency: r.concurrency, serviceRps: r.service.rps, bareRps: r.bare.rps, rpsRatio: r.rpsRatio,
    serviceP99Ms: r.service.p99Ms, bareP99Ms: r.bare.p99Ms, p99Ratio: r.p99Ratio,
    serviceCores: r.service.serverCores ?? NaN, bareCores: r.bare.serverCores ?? NaN, ghzCoresOnBare: r.bare.ghzCores ?? NaN,
    serviceUsPerCall: r.service.serverUsPerCall, bareUsPerCall: r.bare.serverUsPerCall, cpuBoundRpsRatio: r.cpuBoundRpsRatio,
  })));
} finally {
  if (bare) await stopChild(bare.child);
  await service.close();
}
if (args.profile) console.log(`\nprofile of the service under load: node bench/support/cpu-profile.mjs --since-ms ${profileSinceMs} ${args.profile}/CPU.*.0.*.cpuprofile`);
