import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import { definitionBytes } from '../../domain/encoded-bytes.js';
import { writeFileAtomicSync } from './atomic-write.js';

/*
 * One exchange's source definitions as of a store revision, in `<dir>/<ccxtId>.snap`, integers
 * big-endian:
 *
 *   "LISN" | u16 format version | u16 id length | ccxt id (UTF-8) | u64 revision
 *   | u64 savedAt (ms since epoch) | u32 count | u32 payload length
 *   | payload: count × (varint length, InstrumentDefinition)
 *   | SHA-256 of everything before it (32 bytes)
 *
 * The digest covers the header as well as the payload, so a damaged revision or id is caught
 * like a damaged definition. Files are replaced atomically, so a good file is always whole.
 */
const MAGIC = Buffer.from('LISN', 'ascii');
const FORMAT_VERSION = 1;
const DIGEST_BYTES = 32;
const SUFFIX = '.snap';
// CCXT ids are lowercase letters and digits; anything else must not become a path.
const VALID_ID = /^[A-Za-z0-9_-]+$/;

export interface Snapshot {
  ccxtExchange: string;
  /** The store revision the definitions are current as of. */
  revision: number;
  savedAt: Date;
  definitions: InstrumentDefinition[];
}

export interface ReadSnapshots {
  snapshots: Snapshot[];
  /** One line per file skipped, with the reason. */
  problems: string[];
}

export function snapshotPath(dir: string, ccxtExchange: string): string {
  if (!VALID_ID.test(ccxtExchange)) throw new Error(`not a valid CCXT exchange id for a file name: ${JSON.stringify(ccxtExchange)}`);
  return join(dir, `${ccxtExchange}${SUFFIX}`);
}

export function writeSnapshot(dir: string, ccxtExchange: string, revision: number, definitions: Iterable<InstrumentDefinition>, savedAt = new Date()): void {
  const path = snapshotPath(dir, ccxtExchange);
  const writer = new BinaryWriter();
  let count = 0;
  for (const definition of definitions) {
    // Length-delimited; the bytes are the ones responses already serve (encoded once per object).
    writer.bytes(definitionBytes(definition));
    count++;
  }
  const payload = writer.finish();
  const id = Buffer.from(ccxtExchange, 'utf8');
  const header = Buffer.alloc(MAGIC.length + 2 + 2 + id.length + 8 + 8 + 4 + 4);
  let at = MAGIC.copy(header, 0);
  at = header.writeUInt16BE(FORMAT_VERSION, at);
  at = header.writeUInt16BE(id.length, at);
  at += id.copy(header, at);
  at = header.writeBigUInt64BE(BigInt(revision), at);
  at = header.writeBigUInt64BE(BigInt(savedAt.getTime()), at);
  at = header.writeUInt32BE(count, at);
  header.writeUInt32BE(payload.length, at);
  const digest = createHash('sha256').update(header).update(payload).digest();
  writeFileAtomicSync(path, Buffer.concat([header, payload, digest]));
}

/** Every snapshot in `dir` that reads back whole; a bad file is skipped with a reason, never thrown. */
export function readSnapshots(dir: string): ReadSnapshots {
  const result: ReadSnapshots = { snapshots: [], problems: [] };
  if (!existsSync(dir)) return result;
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith(SUFFIX) || name.startsWith('.')) continue;
    try {
      result.snapshots.push(parseSnapshot(readFileSync(join(dir, name)), name.slice(0, -SUFFIX.length)));
    } catch (error) {
      result.problems.push(`snapshot ${name} skipped: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return result;
}

function parseSnapshot(file: Buffer, expectedId: string): Snapshot {
  if (file.length < MAGIC.length + 4 + DIGEST_BYTES || !file.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error('not a snapshot file');
  const body = file.subarray(0, file.length - DIGEST_BYTES);
  if (!createHash('sha256').update(body).digest().equals(file.subarray(body.length))) throw new Error('checksum mismatch (damaged or truncated)');
  let at = MAGIC.length;
  const version = body.readUInt16BE(at);
  if (version !== FORMAT_VERSION) throw new Error(`format version ${version}, expected ${FORMAT_VERSION}`);
  const idLength = body.readUInt16BE(at + 2);
  at += 4;
  const ccxtExchange = body.toString('utf8', at, at + idLength);
  at += idLength;
  if (ccxtExchange !== expectedId) throw new Error(`holds exchange ${JSON.stringify(ccxtExchange)}, not ${JSON.stringify(expectedId)}`);
  const revision = Number(body.readBigUInt64BE(at));
  const savedAt = new Date(Number(body.readBigUInt64BE(at + 8)));
  const count = body.readUInt32BE(at + 16);
  const payloadLength = body.readUInt32BE(at + 20);
  at += 24;
  if (at + payloadLength !== body.length) throw new Error(`payload is ${body.length - at} bytes, header says ${payloadLength}`);
  const reader = new BinaryReader(body.subarray(at));
  const definitions: InstrumentDefinition[] = [];
  for (let i = 0; i < count; i++) definitions.push(InstrumentDefinition.decode(reader, reader.uint32()));
  if (reader.pos !== reader.len) throw new Error(`${reader.len - reader.pos} bytes after ${count} definitions`);
  return { ccxtExchange, revision, savedAt, definitions };
}
