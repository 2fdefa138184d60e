import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { WatchChangesResponse } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { PreparedDelta } from '../../store/instrument-store.js';

/*
 * The payload of one change-log entry: a prepared delta of one exchange, integers big-endian.
 *
 *   u8 version (1)
 *   u32 length | WatchChangesResponse { changes: { changes, appliedTime } }   (what watchers get)
 *   u32 count  | count × (u32 length | InstrumentDefinition)                  (the source's upserts)
 *   u32 count  | count × (u32 length | UTF-8 instrument key)                  (the source's removals)
 *
 * The exchange, the sequence number and the revision (assigned by Redis) are fields of the entry.
 */
const VERSION = 1;

function frame(parts: Buffer[], body: Uint8Array): void {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  parts.push(length, Buffer.from(body.buffer, body.byteOffset, body.byteLength));
}

export function encodeDelta(delta: PreparedDelta): Buffer {
  const parts: Buffer[] = [Buffer.from([VERSION])];
  frame(parts, WatchChangesResponse.encode({ revision: 0, changes: { changes: delta.changes, appliedTime: delta.appliedAt } }).finish());
  const count = (n: number): void => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n);
    parts.push(b);
  };
  count(delta.upserts.length);
  for (const d of delta.upserts) frame(parts, encodeDefinition(d));
  count(delta.removedKeys.length);
  for (const key of delta.removedKeys) frame(parts, Buffer.from(key, 'utf8'));
  return Buffer.concat(parts);
}

export const encodeDefinition = (d: InstrumentDefinition): Uint8Array => InstrumentDefinition.encode(d).finish();

/** Reads one entry's payload; throws, naming the problem, on bytes that are not one. */
export function decodeDelta(ccxtExchange: string, data: Buffer): PreparedDelta {
  let at = 0;
  const need = (n: number): void => {
    if (at + n > data.length) throw new Error(`change-log entry cut short: needs ${n} bytes at ${at} of ${data.length}`);
  };
  const u32 = (): number => {
    need(4);
    const n = data.readUInt32BE(at);
    at += 4;
    return n;
  };
  const next = (): Buffer => {
    const n = u32();
    need(n);
    const body = data.subarray(at, at + n);
    at += n;
    return body;
  };
  need(1);
  if (data[0] !== VERSION) throw new Error(`change-log entry version ${String(data[0])}, expected ${VERSION}`);
  at = 1;
  const message = WatchChangesResponse.decode(next());
  if (message.changes?.appliedTime === undefined) throw new Error('change-log entry holds no change batch');
  const upserts = Array.from({ length: u32() }, () => InstrumentDefinition.decode(next()));
  const removedKeys = Array.from({ length: u32() }, () => next().toString('utf8'));
  if (at !== data.length) throw new Error(`change-log entry has ${data.length - at} bytes after its end`);
  return { ccxtExchange, upserts, removedKeys, changes: message.changes.changes, appliedAt: message.changes.appliedTime };
}

/** Strings and bytes as one run of frames (u32 big-endian length, bytes), for the commit script. */
export function packFrames(items: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [];
  for (const item of items) frame(parts, typeof item === 'string' ? Buffer.from(item, 'utf8') : item);
  return Buffer.concat(parts);
}
