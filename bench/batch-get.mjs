#!/usr/bin/env node
// BatchGetInstruments of 100 keys against single GetInstrument calls, both on the real service
// (`instruments serve`, every fixture exchange loaded, metrics interceptor in the path), in
// instruments per second: batch calls/s × 100 against single calls/s. The 100 keys are existing
// ones spread over the whole universe (taken from ListInstruments); the single calls look up
// BINANCE-SPOT:SPOT:BTC/USDT.
//
// Load: ghz (bench/support/ghz.mjs) at concurrency 16, one connection, `--cpus 1`, a 1 s warm-up
// before every measured run; the two kinds of call alternate over the rounds and each keeps its
// best round (noise on a shared machine only makes runs slower). ghz calls through
// bench/support/opaque-responses.proto (same paths, responses not decoded) for both kinds: decoding
// 100 instruments per response made ghz, not the service, the bottleneck. The service's CPU per
// instrument (µs) is reported too; it does not depend on the load generator.
//
//   npm run build && node bench/batch-get.mjs [--seconds 5] [--rounds 2] [--smoke]
import { BatchGetInstrumentsRequest } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { GHZ_CPUS, OPAQUE_PROTO, requireGhz, runGhz } from './support/ghz.mjs';
import { benchArgs, report } from './support/report.mjs';
import { call, listKeys, startLoadedService } from './support/service-process.mjs';

const args = benchArgs({
  seconds: { type: 'string', default: '5' },
  rounds: { type: 'string', default: '2' },
});
const KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';
const BATCH = 100;
const CONCURRENCY = 16;
const TARGET_RATIO = 20;
const seconds = args.smoke ? 0.5 : Number(args.seconds);
const warmupSeconds = args.smoke ? 0.2 : 1;
const rounds = args.smoke ? 1 : Number(args.rounds);
// Smoke: a fixed number of calls, so a busy machine makes the run longer instead of empty.
const calls = args.smoke ? 200 : undefined;
requireGhz();

/** `count` keys evenly spread over `keys`, so the batch touches every exchange, not one corner. */
function spread(keys, count) {
  if (keys.length < count) throw new Error(`only ${keys.length} instruments listed, need ${count}`);
  return Array.from({ length: count }, (_, i) => keys[Math.floor((i * keys.length) / count)]);
}

/** Checks that the batch finds every key: a batch of not-founds would measure something else. */
async function checkBatch(client, keys) {
  const response = await call(client, 'batchGetInstruments', BatchGetInstrumentsRequest.fromPartial({ instrumentKeys: keys }));
  if (response.instruments.length !== keys.length || response.notFoundKeys.length > 0) {
    throw new Error(`BatchGetInstruments found ${response.instruments.length} of ${keys.length} (not found: ${response.notFoundKeys.slice(0, 5).join(', ')})`);
  }
}

const service = await startLoadedService();
try {
  const keys = spread(await listKeys(service.client), BATCH);
  await checkBatch(service.client, keys);
  const load = { port: service.port, serverPid: service.pid, proto: OPAQUE_PROTO, concurrency: CONCURRENCY, seconds, warmupSeconds, calls };
  const singles = [];
  const batches = [];
  for (let round = 0; round < rounds; round++) {
    singles.push(await runGhz({ ...load, method: 'GetInstrument', data: { instrument_key: KEY } }));
    batches.push(await runGhz({ ...load, method: 'BatchGetInstruments', data: { instrument_keys: keys } }));
  }
  const single = singles.reduce((a, b) => (b.rps > a.rps ? b : a));
  const batch = batches.reduce((a, b) => (b.rps > a.rps ? b : a));
  const singlePerS = single.rps;
  const batchPerS = batch.rps * BATCH;
  const ratio = batchPerS / singlePerS;
  report({
    bench: 'batch-get', batchSize: BATCH, concurrency: CONCURRENCY, exchanges: service.ids,
    load: { tool: 'ghz', proto: OPAQUE_PROTO.file, cpus: GHZ_CPUS, connections: 1, seconds, warmupSeconds, rounds, pick: 'best round by rps' },
    single: { callsPerS: single.rps, instrumentsPerS: singlePerS, p50Ms: single.p50Ms, p99Ms: single.p99Ms, serviceUsPerInstrument: single.serverUsPerCall },
    batch: { callsPerS: batch.rps, instrumentsPerS: batchPerS, p50Ms: batch.p50Ms, p99Ms: batch.p99Ms, serviceUsPerInstrument: batch.serverUsPerCall / BATCH },
    ratio, cpuPerInstrumentRatio: single.serverUsPerCall / (batch.serverUsPerCall / BATCH), smoke: args.smoke, runs: { singles, batches },
    targets: [{ name: `BatchGetInstruments(${BATCH}) instruments/s ≥ ${TARGET_RATIO}× single GetInstrument`, measured: `${ratio.toFixed(1)}×`, met: ratio >= TARGET_RATIO }],
  }, [
    { call: 'GetInstrument', callsPerS: single.rps, instrumentsPerS: singlePerS, p50Ms: single.p50Ms, p99Ms: single.p99Ms, serviceCores: single.serverCores ?? NaN, ghzCores: single.ghzCores ?? NaN, serviceUsPerInstrument: single.serverUsPerCall },
    { call: `BatchGetInstruments (${BATCH} keys)`, callsPerS: batch.rps, instrumentsPerS: batchPerS, p50Ms: batch.p50Ms, p99Ms: batch.p99Ms, serviceCores: batch.serverCores ?? NaN, ghzCores: batch.ghzCores ?? NaN, serviceUsPerInstrument: batch.serverUsPerCall / BATCH },
  ]);
} finally {
  await service.close();
}
