#!/usr/bin/env node
// Load-generator process of bench/watch-fanout.mjs (run by it, not a bench of its own): opens
// `--streams` WatchChanges streams (no filter, from now) to 127.0.0.1:`--port`, spread over
// `--channels` separate HTTP/2 connections, and reports on stdout, one JSON line each:
//   {type:'ready', revision, streams}      every stream has its first (progress) message
//   {type:'batch', revision, appliedMs, complete, received: [ms...], changes: [n...], checked}
//                                          every stream has `--expect` changes of one revision
//                                          (or, complete:false, what arrived when asked: 'report')
//   {type:'error', stream, code, details}  a stream ended
// Commands on stdin: 'report' (flush incomplete batches), 'exit'.
//
// The streams do not decode what they receive: a light wire-format scan reads the revision, the
// number of changes and applied_time, so the time measured is the server's and the connection's,
// not this process decoding ~1,000 definitions per stream. One message per process and batch is
// decoded fully afterwards to check that the scan counted what the real decoder sees.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { credentials, makeGenericClientConstructor } from '@grpc/grpc-js';
import { InstrumentServiceService, WatchChangesRequest, WatchChangesResponse } from '../../dist/gen/ts/instruments/v1/instrument_service.js';

const { values: args } = parseArgs({ options: {
  port: { type: 'string' }, streams: { type: 'string' }, channels: { type: 'string' }, expect: { type: 'string' },
  window: { type: 'string' },
} });
const streams = Number(args.streams);
const channels = Number(args.channels);
const expect = Number(args.expect);
const nowMs = () => performance.timeOrigin + performance.now();
const emit = (message) => process.stdout.write(`${JSON.stringify(message)}\n`);

/** Reads a varint at `pos` as a JS number (exact up to 2^53: revisions, seconds). */
function varint(buf, pos) {
  let value = 0;
  for (let scale = 1; ; scale *= 128) {
    const byte = buf[pos++];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return [value, pos];
  }
}

/** Calls `visit(field, wireType, valueOrStart, end)` for every field of a message in buf[pos, end). */
function scanFields(buf, pos, end, visit) {
  while (pos < end) {
    let key;
    [key, pos] = varint(buf, pos);
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      let v;
      [v, pos] = varint(buf, pos);
      visit(field, wire, v, pos);
    } else if (wire === 2) {
      let len;
      [len, pos] = varint(buf, pos);
      visit(field, wire, pos, pos + len);
      pos += len;
    } else if (wire === 1) pos += 8;
    else if (wire === 5) pos += 4;
    else throw new Error(`unexpected wire type ${wire}`);
  }
}

/** WatchChangesResponse → {revision, kind, changes, appliedMs, raw}: counts, never decodes definitions. */
function scanResponse(buf) {
  const out = { revision: 0, kind: 'none', changes: 0, appliedMs: NaN, raw: buf };
  const kinds = { 2: 'snapshot', 3: 'snapshotEnd', 4: 'changes', 5: 'progress' };
  scanFields(buf, 0, buf.length, (field, wire, v, end) => {
    if (field === 1 && wire === 0) out.revision = v;
    else if (kinds[field] !== undefined) out.kind = kinds[field];
    if (field !== 4) return;
    // ChangeBatch: 1 = repeated InstrumentChange, 2 = applied_time (Timestamp: 1 seconds, 2 nanos).
    scanFields(buf, v, end, (f, w, start, stop) => {
      if (f === 1) out.changes++;
      if (f !== 2) return;
      let seconds = 0;
      let nanos = 0;
      scanFields(buf, start, stop, (tf, _tw, tv) => { if (tf === 1) seconds = tv; else if (tf === 2) nanos = tv; });
      out.appliedMs = seconds * 1000 + nanos / 1e6;
    });
  });
  return out;
}

const ScanningClient = makeGenericClientConstructor({
  watchChanges: { ...InstrumentServiceService.watchChanges, responseDeserialize: scanResponse },
}, 'instruments.v1.InstrumentService');

// One client per channel, each with its own subchannel pool: a connection of its own. --window
// sets grpc-js's HTTP/2 receive window (stream and connection); its default is 64 KiB.
const channelOptions = { 'grpc.use_local_subchannel_pool': 1, ...(args.window === undefined ? {} : { 'grpc-node.flow_control_window': Number(args.window) }) };
const clients = Array.from({ length: channels }, () => new ScanningClient(`127.0.0.1:${args.port}`, credentials.createInsecure(), channelOptions));

/** revision → {appliedMs, received[], changes[], completed, sample}: per stream, what that revision brought. */
const batches = new Map();
let startRevision = 0;
let readyCount = 0;
const calls = [];
let exiting = false;

function batchFor(revision, appliedMs) {
  let batch = batches.get(revision);
  if (batch === undefined) {
    batch = { appliedMs, received: new Array(streams).fill(null), changes: new Array(streams).fill(0), completed: 0, sample: null };
    batches.set(revision, batch);
  }
  return batch;
}

/** Decodes one received message for real and counts its changes: checks the scan. */
function checkSample(batch) {
  if (batch.sample === null) return null;
  const decoded = WatchChangesResponse.decode(batch.sample);
  const changedFields = new Set(decoded.changes?.changes.flatMap((c) => c.changedFields) ?? []);
  return { decodedChanges: decoded.changes?.changes.length ?? 0, changedFields: [...changedFields].sort(), bytes: batch.sample.length };
}

function flush(revision, batch, complete) {
  emit({ type: 'batch', revision, appliedMs: batch.appliedMs, complete, received: batch.received, changes: batch.changes, checked: checkSample(batch) });
  batches.delete(revision);
}

function onMessage(index, message, receivedMs) {
  if (message.kind === 'progress' && !calls[index].ready) {
    calls[index].ready = true;
    startRevision = Math.max(startRevision, message.revision);
    if (++readyCount === streams) emit({ type: 'ready', revision: startRevision, streams });
    return;
  }
  if (message.kind !== 'changes') return;
  const batch = batchFor(message.revision, message.appliedMs);
  if (batch.changes[index] >= expect) return;
  if (index === 0) batch.sample = message.raw;
  batch.changes[index] += message.changes;
  // The batch has reached this stream when its last change has: then it counts as received.
  if (batch.changes[index] >= expect) {
    batch.received[index] = receivedMs;
    if (++batch.completed === streams) flush(message.revision, batch, true);
  }
}

for (let i = 0; i < streams; i++) {
  const call = clients[i % channels].watchChanges(WatchChangesRequest.fromPartial({}));
  calls.push(call);
  call.ready = false;
  call.on('data', (message) => onMessage(i, message, nowMs()));
  call.on('error', (error) => { if (!exiting) emit({ type: 'error', stream: i, code: error.code, details: error.details }); });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'report') for (const [revision, batch] of [...batches]) flush(revision, batch, false);
  if (line === 'exit') shutdown();
}).on('close', shutdown);

function shutdown() {
  if (exiting) return;
  exiting = true;
  for (const call of calls) call.cancel();
  for (const client of clients) client.close();
  process.exit(0);
}
