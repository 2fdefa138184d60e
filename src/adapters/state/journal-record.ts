import { WatchChangesResponse } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import { watchResponseBytes } from '../../domain/encoded-bytes.js';
import { crc32 } from './crc32.js';

/*
 * One journal record, integers big-endian:
 *
 *   u32 body length | u32 CRC-32 of body | body
 *   body = u8 record version (1) | u8 ccxt id length | ccxt id (UTF-8)
 *          | WatchChangesResponse { revision, changes: { changes, appliedTime } }
 *
 * The batch is the message a watcher receives, so the journal needs no schema of its own; the
 * exchange id, which that message does not carry, goes in front of it.
 */
const HEADER_BYTES = 8;
const RECORD_VERSION = 1;
const MIN_BODY_BYTES = 2;
// Far above any real batch; a larger length is damage, not data to allocate for.
const MAX_BODY_BYTES = 1 << 30;

export type ReadRecord =
  | { ok: true; batch: ChangeBatchEvent; end: number }
  /** `torn`: the damage runs to the end of the data, as a write cut short by a crash leaves it. */
  | { ok: false; reason: string; torn: boolean };

export function encodeRecord(batch: ChangeBatchEvent): Buffer {
  const id = Buffer.from(batch.ccxtExchange, 'utf8');
  if (id.length > 255) throw new Error(`CCXT exchange id too long for the journal: ${batch.ccxtExchange}`);
  // The store persists a batch before publishing it, so these encodings are the ones watchers get.
  const message = watchResponseBytes({ revision: batch.revision, changes: { changes: batch.changes, appliedTime: batch.appliedAt } });
  const body = Buffer.concat([Buffer.from([RECORD_VERSION, id.length]), id, message]);
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(body.length, 0);
  header.writeUInt32BE(crc32(body), 4);
  return Buffer.concat([header, body]);
}

/** The record starting at `offset` of `data`. */
export function readRecord(data: Buffer, offset: number): ReadRecord {
  const remaining = data.length - offset;
  if (remaining < HEADER_BYTES) return { ok: false, reason: `${remaining} bytes, less than a record header`, torn: true };
  const length = data.readUInt32BE(offset);
  if (length < MIN_BODY_BYTES || length > MAX_BODY_BYTES) {
    // Zeros to the end are a tail the file system extended but the crash never filled.
    return { ok: false, reason: `impossible record length ${length}`, torn: data.subarray(offset).every((b) => b === 0) };
  }
  const end = offset + HEADER_BYTES + length;
  if (end > data.length) return { ok: false, reason: `record of ${length} bytes cut short at ${remaining - HEADER_BYTES}`, torn: true };
  const body = data.subarray(offset + HEADER_BYTES, end);
  if (crc32(body) !== data.readUInt32BE(offset + 4)) return { ok: false, reason: 'checksum mismatch', torn: end === data.length };
  try {
    return { ok: true, batch: decodeBody(body), end };
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : String(error), torn: false };
  }
}

function decodeBody(body: Buffer): ChangeBatchEvent {
  const version = body[0];
  if (version !== RECORD_VERSION) throw new Error(`record version ${String(version)}, expected ${RECORD_VERSION}`);
  const idEnd = 2 + (body[1] as number);
  const message = WatchChangesResponse.decode(body.subarray(idEnd));
  if (message.changes?.appliedTime === undefined) throw new Error('record holds no change batch');
  return {
    revision: message.revision,
    appliedAt: message.changes.appliedTime,
    ccxtExchange: body.toString('utf8', 2, idEnd),
    changes: message.changes.changes,
  };
}
