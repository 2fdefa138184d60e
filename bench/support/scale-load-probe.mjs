#!/usr/bin/env node
// Child process of bench/scale.mjs, one per exchange, so that each CCXT measurement starts fresh
// (no JIT state or heap of another exchange). Does what the service's market-loader worker does for
// one exchange, timing each part on its own: CCXT's loadMarkets (through the replay server), then
// the service's conversion of the loaded markets (loadDefinitions on the already loaded instance:
// its loadMarkets returns the cached markets), then encodeHandover (the worker's side of the
// hand-over: digests and bytes). Then the same again as a refresh, on a new CCXT instance, as the
// worker does (it keeps none between loads). Writes the two encoded loads to OUT/<id>.first.bin and OUT/<id>.refresh.bin and
// prints one JSON line of timings (CPU of the whole process, and wall) and of its memory.
// `--profile DIR` writes a CPU profile of the refresh's conversion and encoding to
// DIR/convert-<id>.cpuprofile.
//
//   node bench/support/scale-load-probe.mjs --id binance --proxy-url URL --ccxt '{...}' --out DIR [--profile DIR]
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createExchange } from '../../dist/src/adapters/ccxt/create-exchange.js';
import { loadDefinitions } from '../../dist/src/adapters/ccxt/load-definitions.js';
import { encodeHandover } from '../../dist/src/adapters/ccxt/definition-handover.js';
import { metered } from './cpu-meter.mjs';
import { startProfile } from './cpu-profile.mjs';
import { procStatusMb, retainedHeapMb } from './memory.mjs';

const { values } = parseArgs({ options: { id: { type: 'string' }, 'proxy-url': { type: 'string' }, ccxt: { type: 'string', default: '{}' }, out: { type: 'string' }, profile: { type: 'string' } }, strict: true });
const settings = { ccxt: JSON.parse(values.ccxt), proxyUrl: values['proxy-url'] };
let exchange = createExchange(values.id, settings);
// The heap of CCXT itself (module and instance, no markets), before any timing.
const baseHeapMb = retainedHeapMb();

/**
 * loadMarkets, metered. Retried once on a NetworkError: the replay server closes a kept-alive
 * socket after 5 s idle, and when this process was busy converting for longer than that, CCXT
 * reuses the socket before it has seen the close ("other side closed"). Only the retry is timed.
 */
async function ccxtLoad() {
  try {
    return await metered(() => exchange.loadMarkets());
  } catch (error) {
    if (error?.name !== 'NetworkError') throw error;
    console.error(`${values.id}: ${error.message}; retrying once`);
    return metered(() => exchange.loadMarkets());
  }
}

/** One load as the worker does it (on the current, fresh instance), each part metered. */
async function loadOnce(file, profileFile) {
  const ccxt = await ccxtLoad();
  const profile = profileFile === undefined ? undefined : await startProfile();
  const convert = await metered(() => loadDefinitions(exchange));
  const encode = await metered(async () => encodeHandover(convert.result.definitions));
  await profile?.stop(profileFile);
  writeFileSync(join(values.out, `${file}.records`), new Uint8Array(encode.result.records));
  writeFileSync(join(values.out, `${file}.digests`), new Uint8Array(encode.result.digests));
  return {
    markets: Object.keys(ccxt.result).length,
    definitions: convert.result.definitions.length,
    rejected: convert.result.rejected.length,
    bytes: encode.result.records.byteLength,
    ccxt: ccxt.time, convert: convert.time, encode: encode.time,
  };
}

const first = await loadOnce(`${values.id}.first.bin`);
const kept = retainedHeapMb();
exchange = createExchange(values.id, settings);
const refresh = await loadOnce(`${values.id}.refresh.bin`, values.profile && join(values.profile, `convert-${values.id}.cpuprofile`));
// What an instance with its markets weighs (the worker drops it after each load).
const heapMb = retainedHeapMb();
const memory = { baseHeapMb, marketsHeapMb: kept - baseHeapMb, retainedHeapMb: heapMb, ...procStatusMb() };
console.log(JSON.stringify({ id: values.id, first, refresh, memory }));
