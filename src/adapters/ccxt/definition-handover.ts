// How a load's definitions cross from the worker thread to the main thread: one transferred
// buffer of records, each a content digest and the definition's protobuf bytes. The main thread
// decodes only definitions whose digest it has not seen in the exchange's previous load, and hands
// back the previous objects for the rest. A refresh that changes nothing (the usual case) thus
// costs the main thread a map lookup per instrument instead of a decode and a field-by-field diff.
//
//   record: 16-byte digest | varint length | InstrumentDefinition without last_updated
//
// last_updated is left out of the bytes (and so of the digest): it is the load's receivedAt for
// every definition of a load (convert-market), and it must not make equal content look new.
import { createHash } from 'node:crypto';
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';

const DIGEST_BYTES = 16;

/** Worker side: the records of `definitions`, in one buffer to transfer. */
export function encodeHandover(definitions: readonly InstrumentDefinition[]): ArrayBuffer {
  const writer = new BinaryWriter();
  for (const definition of definitions) {
    const content = InstrumentDefinition.encode({ ...definition, lastUpdated: undefined }).finish();
    writer.raw(createHash('sha256').update(content).digest().subarray(0, DIGEST_BYTES));
    writer.bytes(content);
  }
  const bytes = writer.finish();
  // finish() returns a fresh, exactly sized copy today; copy again if that ever changes.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
}

export interface Handover {
  definitions: InstrumentDefinition[];
  /** How many had to be decoded (new or changed content); the rest are the previous objects. */
  decoded: number;
}

/**
 * Main-thread side, one per exchange: decodes a load's records, reusing the objects of the
 * previous load whose content digest is the same. A reused object keeps the last_updated of the
 * load that first brought its content.
 */
export class HandoverDecoder {
  private previous = new Map<string, InstrumentDefinition>();

  decode(buffer: ArrayBuffer, receivedAt: Date): Handover {
    const bytes = new Uint8Array(buffer);
    const digests = Buffer.from(buffer);
    const reader = new BinaryReader(bytes);
    const seen = new Map<string, InstrumentDefinition>();
    const definitions: InstrumentDefinition[] = [];
    let decoded = 0;
    while (reader.pos < reader.len) {
      const digest = digests.toString('latin1', reader.pos, reader.pos + DIGEST_BYTES);
      reader.pos += DIGEST_BYTES;
      const length = reader.uint32();
      let definition = this.previous.get(digest);
      if (definition === undefined) {
        definition = InstrumentDefinition.decode(reader, length);
        definition.lastUpdated = receivedAt;
        decoded++;
      } else {
        reader.pos += length;
      }
      seen.set(digest, definition);
      definitions.push(definition);
    }
    this.previous = seen;
    return { definitions, decoded };
  }
}
