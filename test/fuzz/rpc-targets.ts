// Every method the server serves, with what the fuzzer needs to know about each: how it is
// called, which status codes its contract allows for any input, and where its string fields are.
import { status } from '@grpc/grpc-js';
import type { CallKind } from './raw-client.js';

export interface StringField {
  name: string;
  /** Field numbers from the request message down to the string ([1, 4]: filter.base_assets). */
  path: readonly number[];
}

export interface Target {
  name: string;
  path: string;
  kind: CallKind;
  /** Answers a well-behaved server may give to any input (transport codes are added per case). */
  codes: readonly status[];
  strings: readonly StringField[];
  /** A stream that never ends by itself: cases cancel it or give it a short deadline. */
  endless: boolean;
}

const SERVICE = '/instruments.v1.InstrumentService/';
const { OK, INVALID_ARGUMENT, NOT_FOUND, OUT_OF_RANGE, UNAVAILABLE } = status;

const filterStrings = (at: number): StringField[] => [
  { name: 'filter.venues', path: [at, 1] },
  { name: 'filter.ccxt_exchanges', path: [at, 2] },
  { name: 'filter.base_assets', path: [at, 4] },
  { name: 'filter.quote_assets', path: [at, 5] },
  { name: 'filter.settle_assets', path: [at, 6] },
  { name: 'filter.instrument_keys', path: [at, 8] },
];

const reflection = (version: string): Target => ({
  name: `ServerReflectionInfo ${version}`, path: `/grpc.reflection.${version}.ServerReflection/ServerReflectionInfo`, kind: 'bidi',
  codes: [OK, INVALID_ARGUMENT], endless: false,
  strings: [
    { name: 'host', path: [1] }, { name: 'file_by_filename', path: [3] }, { name: 'file_containing_symbol', path: [4] },
    { name: 'file_containing_extension.containing_type', path: [5, 1] }, { name: 'all_extension_numbers_of_type', path: [6] },
    { name: 'list_services', path: [7] },
  ],
});

export const TARGETS: readonly Target[] = [
  {
    name: 'GetInstrument', path: `${SERVICE}GetInstrument`, kind: 'unary', codes: [OK, INVALID_ARGUMENT, NOT_FOUND, UNAVAILABLE], endless: false,
    strings: [
      { name: 'instrument_key', path: [1] }, { name: 'ccxt.ccxt_exchange', path: [2, 1] }, { name: 'ccxt.ccxt_symbol', path: [2, 2] },
      { name: 'raw.venue', path: [3, 1] }, { name: 'raw.exchange_raw_symbol', path: [3, 2] },
      { name: 'tardis.tardis_exchange', path: [4, 1] }, { name: 'tardis.tardis_symbol', path: [4, 2] },
    ],
  },
  {
    name: 'BatchGetInstruments', path: `${SERVICE}BatchGetInstruments`, kind: 'unary', codes: [OK, INVALID_ARGUMENT], endless: false,
    strings: [{ name: 'instrument_keys', path: [1] }],
  },
  {
    name: 'ListInstruments', path: `${SERVICE}ListInstruments`, kind: 'unary', codes: [OK, INVALID_ARGUMENT], endless: false,
    strings: [...filterStrings(1), { name: 'page_token', path: [3] }],
  },
  {
    name: 'WatchChanges', path: `${SERVICE}WatchChanges`, kind: 'serverStream', codes: [INVALID_ARGUMENT, OUT_OF_RANGE], endless: true,
    strings: filterStrings(1),
  },
  // No fields: strings go in as unknown field 1, which a parser must skip.
  { name: 'GetStatus', path: `${SERVICE}GetStatus`, kind: 'unary', codes: [OK, INVALID_ARGUMENT], endless: false, strings: [{ name: '(unknown field 1)', path: [1] }] },
  { name: 'Health.Check', path: '/grpc.health.v1.Health/Check', kind: 'unary', codes: [OK, INVALID_ARGUMENT, NOT_FOUND], endless: false, strings: [{ name: 'service', path: [1] }] },
  { name: 'Health.Watch', path: '/grpc.health.v1.Health/Watch', kind: 'serverStream', codes: [INVALID_ARGUMENT], endless: true, strings: [{ name: 'service', path: [1] }] },
  { name: 'Health.List', path: '/grpc.health.v1.Health/List', kind: 'unary', codes: [OK, INVALID_ARGUMENT], endless: false, strings: [{ name: '(unknown field 1)', path: [1] }] },
  reflection('v1'),
  reflection('v1alpha'),
];

export const targetNamed = (name: string): Target => {
  const found = TARGETS.find((t) => t.name === name);
  if (found === undefined) throw new Error(`no target ${name}`);
  return found;
};
