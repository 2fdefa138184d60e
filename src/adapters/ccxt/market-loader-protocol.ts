// Messages between MarketLoaderPool (main thread) and market-loader-worker, and the compact
// encoding of the definitions they carry.
import { BinaryReader, BinaryWriter } from '@bufbuild/protobuf/wire';
import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import type { ExchangeSettings } from './create-exchange.js';
import type { RejectedMarket } from './load-definitions.js';

export interface LoadRequest {
  requestId: number;
  ccxtId: string;
  settings: ExchangeSettings;
  reload: boolean;
}

/** A failed load as plain data: errors do not survive postMessage with their class. */
export interface LoadFailure {
  /** The CCXT error class, e.g. 'RateLimitExceeded', 'ExchangeNotAvailable', 'NetworkError'. */
  name: string;
  message: string;
  /** From the exchange's Retry-After header, when it sent one. */
  retryAfterMs?: number;
}

export type LoadReply =
  | {
      requestId: number;
      ok: true;
      /** encodeDefinitions() output; transferred, not copied. */
      definitions: ArrayBuffer;
      rejected: RejectedMarket[];
      receivedAtMs: number;
      durationMs: number;
      reusedInstance: boolean;
    }
  | { requestId: number; ok: false; failure: LoadFailure };

/** All definitions in one buffer, each length-delimited (protobuf wire format). */
export function encodeDefinitions(definitions: readonly InstrumentDefinition[]): ArrayBuffer {
  const writer = new BinaryWriter();
  for (const definition of definitions) InstrumentDefinition.encode(definition, writer.fork()).join();
  const bytes = writer.finish();
  // finish() returns a fresh, exactly sized copy today; copy again if that ever changes.
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer
    ? bytes.buffer
    : bytes.slice().buffer;
}

export function decodeDefinitions(buffer: ArrayBuffer): InstrumentDefinition[] {
  const reader = new BinaryReader(new Uint8Array(buffer));
  const definitions: InstrumentDefinition[] = [];
  while (reader.pos < reader.len) definitions.push(InstrumentDefinition.decode(reader, reader.uint32()));
  return definitions;
}
