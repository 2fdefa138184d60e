// Bytes that are not a valid request are the caller's mistake: every service answers them with
// INVALID_ARGUMENT naming the method (grpc-js alone says INTERNAL), including mid-way through a
// reflection stream whose earlier answers are still being written (grpc-js alone hangs there).
import { status, type Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callRaw, rawClient, type CallPlan } from '../fuzz/raw-client.js';
import { lenField, varintField } from '../fuzz/wire.js';
import { startStoreHarness, type StoreHarness } from '../support/store-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';

let h: StoreHarness;
let client: Client;

beforeAll(async () => {
  h = await startStoreHarness();
  client = rawClient(h.address);
});
afterAll(async () => {
  client.close();
  await h.close();
});

const GARBAGE = Buffer.from([0xff, 0xff, 0xff]);
const REFLECTION = '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo';
// The deadline only ends a call the server never answers (grpc-js alone hangs mid-reflection):
// the test then sees DEADLINE_EXCEEDED instead of INVALID_ARGUMENT.
const call = (path: string, kind: CallPlan['kind'], requests: Buffer[]) => callRaw(client, { path, kind, requests, deadlineMs: PATIENCE_MS });

it.each([
  ['/instruments.v1.InstrumentService/GetInstrument', 'unary'],
  ['/instruments.v1.InstrumentService/WatchChanges', 'serverStream'],
  ['/grpc.health.v1.Health/Check', 'unary'],
  [REFLECTION, 'bidi'],
] as const)('%s answers undecodable bytes with INVALID_ARGUMENT', async (path, kind) => {
  const outcome = await call(path, kind, [GARBAGE]);
  expect([outcome.code, outcome.details]).toEqual([status.INVALID_ARGUMENT, expect.stringContaining(`the request message for ${path} could not be decoded`)]);
});

it('refuses a start_revision beyond 2^53-1 with INVALID_ARGUMENT saying so', async () => {
  const outcome = await call('/instruments.v1.InstrumentService/WatchChanges', 'serverStream', [varintField(3, 2n ** 64n - 1n)]);
  expect([outcome.code, outcome.details]).toEqual([status.INVALID_ARGUMENT, expect.stringMatching(/beyond ±\(2\^53-1\)/)]);
});

it('ends a reflection stream with INVALID_ARGUMENT when a bad request follows answers still being written', async () => {
  // Each answer is a 30 KB descriptor: three of them are more than one flow-control window.
  const symbol = lenField(4, 'instruments.v1.InstrumentService');
  const outcome = await call(REFLECTION, 'bidi', [symbol, symbol, symbol, GARBAGE]);
  expect(outcome.code).toBe(status.INVALID_ARGUMENT);
  const healthy = await call(REFLECTION, 'bidi', [symbol, symbol, symbol, symbol]);
  expect([healthy.code, healthy.messages.length]).toEqual([status.OK, 4]);
});
