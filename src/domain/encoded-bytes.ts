import type { BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';

/*
 * Protobuf bytes of the store's objects, encoded once and reused by every response that carries
 * them. This is sound because the store never mutates a definition or a change once published: a
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
