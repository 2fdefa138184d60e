import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeBatch, InstrumentChange, SnapshotPage, WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';

/*
 * Protobuf bytes of the store's objects, encoded once and reused by every response, snapshot and
 * journal record that carries them. This is sound because the store never mutates a definition or a change once published: a
 * new revision brings new objects, and the old objects (with their bytes) are collected with it.
 */

const definitions = new WeakMap<InstrumentDefinition, Uint8Array>();
const changes = new WeakMap<InstrumentChange, Uint8Array>();

function memo<T extends object>(cache: WeakMap<T, Uint8Array>, value: T, encode: (value: T) => Uint8Array): Uint8Array {
  let bytes = cache.get(value);
  if (bytes === undefined) {
    bytes = encode(value);
    cache.set(value, bytes);
  }
  return bytes;
}

export function definitionBytes(definition: InstrumentDefinition): Uint8Array {
  return memo(definitions, definition, (d) => InstrumentDefinition.encode(d).finish());
}

export function changeBytes(change: InstrumentChange): Uint8Array {
  return memo(changes, change, (c) => InstrumentChange.encode(c).finish());
}

/** Writes `field` as an embedded message whose bytes are already encoded (tag, length, bytes). */
export function writeEncoded(writer: BinaryWriter, field: number, bytes: Uint8Array): BinaryWriter {
  return writer.uint32((field << 3) | 2).bytes(bytes);
}

/** The writer's bytes as the Buffer grpc-js sends, without copying. */
export function finishBuffer(writer: BinaryWriter): Buffer {
  const bytes = writer.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A watch message with the definitions and changes spliced in from their encoded bytes: byte for
 * byte what the generated encoder writes (revision, field 1, then the one event field). The
 * journal stores batches in this form too.
 */
export function watchResponseBytes(value: WatchChangesResponse): Buffer {
  const { revision, snapshot, changes } = value;
  if (snapshot === undefined && changes === undefined) return finishBuffer(WatchChangesResponse.encode(value));
  const writer = new BinaryWriter();
  if (revision !== 0) writer.uint32(8).uint64(revision);
  if (snapshot !== undefined) {
    writer.uint32(18).fork();
    for (const d of snapshot.instruments) writeEncoded(writer, 1, definitionBytes(d));
    SnapshotPage.encode({ ...snapshot, instruments: [] }, writer).join();
  } else if (changes !== undefined) {
    writer.uint32(34).fork();
    for (const c of changes.changes) writeEncoded(writer, 1, changeBytes(c));
    ChangeBatch.encode({ ...changes, changes: [] }, writer).join();
  }
  return finishBuffer(writer);
}
