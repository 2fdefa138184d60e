// grpc.health.v1 with names the server does not report on: answered without echoing the name
// (a 1 MB name in the status trailer makes the client wait to its deadline) and without keeping
// anything per name (grpc-health-check keeps a map entry per name ever watched).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { status, type Client } from '@grpc/grpc-js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callRaw, rawClient } from '../fuzz/raw-client.js';
import { lenField } from '../fuzz/wire.js';
import { startStoreHarness, type StoreHarness } from '../support/store-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** 1 MB (decimal), so a name fits under the 1 MiB request limit. */
const MB = 1_000_000;
const SERVING = Buffer.from([0x08, 0x01]);
const SERVICE_UNKNOWN = Buffer.from([0x08, 0x03]);
const WATCHED = 40;

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

// The deadline only ends a call the server never answers (a name echoed into the trailer): the
// test then sees DEADLINE_EXCEEDED instead of the answer it expects.
const check = (service: string) => callRaw(client, { path: '/grpc.health.v1.Health/Check', kind: 'unary', requests: [lenField(1, service)], deadlineMs: PATIENCE_MS });
const watchFirst = (service: string) => callRaw(client, { path: '/grpc.health.v1.Health/Watch', kind: 'serverStream', requests: [lenField(1, service)], deadlineMs: PATIENCE_MS, cancelAfterMessages: 1 });

it('answers Check for the served names, and for any other with a short NOT_FOUND', async () => {
  for (const served of ['', 'instruments.v1.InstrumentService']) expect((await check(served)).messages).toEqual([SERVING]);
  const unknown = await check(`no.such.Service${'x'.repeat(MB)}`);
  expect(unknown.code).toBe(status.NOT_FOUND);
  expect(unknown.details).toMatch(/^health status unknown for service "no\.such\.Servicex+"… \(1000015 characters\): this server reports on "", "instruments\.v1\.InstrumentService"$/);
  expect(Buffer.byteLength(unknown.details)).toBeLessThan(1024);
});

it(`keeps nothing for ${WATCHED} watches of distinct unknown 1 MB names once they end`, async () => {
  expect((await watchFirst('')).messages).toEqual([SERVING]);
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < WATCHED; i++) {
    const w = await watchFirst(`${i}${'n'.repeat(MB)}`);
    expect([w.code, w.messages]).toEqual([status.CANCELLED, [SERVICE_UNKNOWN]]);
  }
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  console.info(`health watch: heap grew ${(grown / MB).toFixed(1)} MB after ${WATCHED} watches of 1 MB names`);
  // Each name kept would be 1 MB: 40 MB in all. 8 MB leaves room for what the client and server allocate besides.
  expect(grown).toBeLessThan(8 * MB);
});
