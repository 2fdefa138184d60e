import { BinaryWriter } from '@bufbuild/protobuf/wire';
import {
  BatchGetInstrumentsResponse, GetInstrumentResponse, InstrumentServiceService, ListInstrumentsResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import { definitionBytes, finishBuffer, watchResponseBytes, writeEncoded } from '../domain/encoded-bytes.js';

/*
 * The instrument service with response serializers that splice in each definition's bytes,
 * encoded once per revision (domain/encoded-bytes.ts), instead of re-encoding every definition on every
 * response. Each serializer writes the embedded definitions first and lets the generated encoder
 * write the remaining fields after them: the definitions are field 1 of their messages, so the
 * output is byte for byte what the generated serializer gives (a test checks it).
 *
 * A watch batch is one message object shared by every watcher that sees the whole batch
 * (watch-changes.ts), so its bytes are made once and the same Buffer is written to every stream.
 */

const messages = new WeakMap<object, Buffer>();

function memoBuffer<T extends object>(value: T, encode: (value: T) => Buffer): Buffer {
  let bytes = messages.get(value);
  if (bytes === undefined) {
    bytes = encode(value);
    messages.set(value, bytes);
  }
  return bytes;
}

function getInstrumentResponse(value: GetInstrumentResponse): Buffer {
  const writer = new BinaryWriter();
  if (value.instrument !== undefined) writeEncoded(writer, 1, definitionBytes(value.instrument));
  return finishBuffer(GetInstrumentResponse.encode({ ...value, instrument: undefined }, writer));
}

function batchGetResponse(value: BatchGetInstrumentsResponse): Buffer {
  const writer = new BinaryWriter();
  for (const d of value.instruments) writeEncoded(writer, 1, definitionBytes(d));
  return finishBuffer(BatchGetInstrumentsResponse.encode({ ...value, instruments: [] }, writer));
}

function listResponse(value: ListInstrumentsResponse): Buffer {
  const writer = new BinaryWriter();
  for (const d of value.instruments) writeEncoded(writer, 1, definitionBytes(d));
  return finishBuffer(ListInstrumentsResponse.encode({ ...value, instruments: [] }, writer));
}

export type EncodedInstrumentService = typeof InstrumentServiceService;

/** The generated definition with the bytes-splicing response serializers. */
export const EncodedInstrumentServiceService: EncodedInstrumentService = {
  ...InstrumentServiceService,
  getInstrument: { ...InstrumentServiceService.getInstrument, responseSerialize: getInstrumentResponse },
  batchGetInstruments: { ...InstrumentServiceService.batchGetInstruments, responseSerialize: batchGetResponse },
  listInstruments: { ...InstrumentServiceService.listInstruments, responseSerialize: (value) => memoBuffer(value, listResponse) },
  watchChanges: { ...InstrumentServiceService.watchChanges, responseSerialize: (value) => memoBuffer(value, watchResponseBytes) },
};
