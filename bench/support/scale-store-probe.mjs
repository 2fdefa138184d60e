#!/usr/bin/env node
// Child process of bench/scale.mjs: the main thread's share of a refresh, for every exchange of the
// universe in one InstrumentStore, as the service runs it: the HandoverDecoder of the worker's
// buffer (one per exchange, kept across loads as the pool keeps it), the refresh guard (guardRefresh: validation and mass-removal check), then
// InstrumentStore.applyExchange (diff, apply, view building, publishing to a subscriber of
// changes$) with the durable state attached as in production (its persist hook timed apart).
// First the first load of each exchange (all added), then `--rounds` unchanged refreshes from the
// second load's buffer (another CCXT load of the same markets, so equal content, new last_updated),
// through the same decoders, as a real refresh arrives. Prints one JSON line. `--profile DIR` also writes a CPU profile of the
// first loads and of the unchanged refreshes (decode excluded from neither).
//
//   node bench/support/scale-store-probe.mjs --loads DIR --ids a,b --data-dir D [--rounds 5] [--profile DIR]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createLogger } from '../../dist/src/adapters/logger.js';
import { HandoverDecoder } from '../../dist/src/adapters/ccxt/definition-handover.js';
import { attachDurableState } from '../../dist/src/app/durable-wiring.js';
import { guardRefresh } from '../../dist/src/domain/refresh-guard.js';
import { DEFAULT_HISTORY, InstrumentStore } from '../../dist/src/store/instrument-store.js';
import { startProfile } from './cpu-profile.mjs';
import { meteredSync, sumTimes } from './cpu-meter.mjs';
import { procStatusMb, retainedHeapMb } from './memory.mjs';

const { values } = parseArgs({
  options: { loads: { type: 'string' }, ids: { type: 'string' }, 'data-dir': { type: 'string' }, rounds: { type: 'string', default: '5' }, profile: { type: 'string' } },
  strict: true,
});
const ids = values.ids.split(',');
// The service's defaults (config-schema): live.max_removal_ratio, watch.history_*.
const POLICY = { maxRemovalRatio: 0.2 };

const store = new InstrumentStore(DEFAULT_HISTORY);
let published = 0;
store.changes$.subscribe((batch) => { published += batch.changes.length; });
const durable = attachDurableState(values['data-dir'], store, DEFAULT_HISTORY, createLogger({ level: 'silent' }));
// Persisting (fsynced journal append, snapshot rewrite) is I/O-bound and not in the issue's
// "convert + diff + apply + publish": timed apart and taken out of the apply time.
let persistTime = { cpuMs: 0, wallMs: 0 };
const persist = store.persist;
store.persist = (batch, source) => { persistTime = sumTimes([persistTime, meteredSync(() => persist(batch, source)).time]); };

const arrayBuffer = (b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
const readLoad = (file) => ({ records: readFileSync(join(values.loads, `${file}.records`)), digests: readFileSync(join(values.loads, `${file}.digests`)) });
const buffers = Object.fromEntries(ids.map((id) => [id, {
  first: readLoad(`${id}.first.bin`),
  refresh: readLoad(`${id}.refresh.bin`),
}]));
const decoders = new Map(ids.map((id) => [id, new HandoverDecoder()]));


/** One exchange's refresh on the main thread, each part timed; apply excludes persisting. */
function refresh(id, bytes) {
  const input = { records: arrayBuffer(bytes.records), digests: arrayBuffer(bytes.digests) }; // as the worker transfers them
  const receivedAt = new Date();
  const decode = meteredSync(() => decoders.get(id).decode(input, receivedAt).definitions);
  const guard = meteredSync(() => guardRefresh({ previous: store.sourceOf(id), next: decode.result, held: undefined, now: new Date() }, POLICY));
  if (guard.result.action !== 'apply') throw new Error(`${id}: refresh held by the guard: ${guard.result.held.reason}`);
  const persistBefore = persistTime;
  const apply = meteredSync(() => store.applyExchange(id, guard.result.definitions, new Date()));
  const persisted = { cpuMs: persistTime.cpuMs - persistBefore.cpuMs, wallMs: persistTime.wallMs - persistBefore.wallMs };
  return {
    definitions: decode.result.length,
    changes: apply.result?.changes.length ?? 0,
    decode: decode.time, guard: guard.time, persist: persisted,
    apply: { cpuMs: apply.time.cpuMs - persisted.cpuMs, wallMs: apply.time.wallMs - persisted.wallMs },
  };
}

/** Every exchange once; with the sums over exchanges. */
function round(which) {
  const perExchange = Object.fromEntries(ids.map((id) => [id, refresh(id, buffers[id][which])]));
  const rows = Object.values(perExchange);
  const total = Object.fromEntries(['decode', 'guard', 'apply', 'persist'].map((k) => [k, sumTimes(rows.map((r) => r[k]))]));
  return { perExchange, total, changes: rows.reduce((n, r) => n + r.changes, 0) };
}

async function profiled(name, fn) {
  const profile = values.profile === undefined ? undefined : await startProfile();
  const result = fn();
  await profile?.stop(join(values.profile, `${name}.cpuprofile`));
  return result;
}

const first = await profiled('store-first-load', () => round('first'));
const publishedFirst = published;
const unchanged = await profiled('store-unchanged-refresh', () => Array.from({ length: Number(values.rounds) }, () => round('refresh')));
durable.close();
const memory = { retainedHeapMb: retainedHeapMb(), ...procStatusMb() };
console.log(JSON.stringify({
  instruments: store.view().byKey.size, revision: store.revision, publishedFirst, publishedUnchanged: published - publishedFirst,
  first, unchanged, memory,
}));
