#!/usr/bin/env node
// ListInstruments of the full fixture universe (every fixture exchange, all pages), in instruments
// per second, at page_size 1000 and at the default (0, i.e. 100): the service's responses as
// shipped (`cached`: instruments encoded once per revision) against the baseline that encodes
// every instrument again on each request (`per-request`), both served by startGrpcServer over one
// store in a separate process (bench/support/list-server.mjs).
//
// The client is this process, one page at a time as a real client pages, and it does NOT decode
// instruments: a raw grpc-js call whose deserializer only counts field 1 and reads the
// next_page_token (field 2) with a wire reader, so client decoding does not hide the server's cost.
// Each measurement is one full traversal; after a warm-up traversal per server and page size, the
// two servers alternate (ABBA) for the rounds and the median traversal of each is kept. Beside the
// wall-clock rate (the target), the server process's CPU per traversal (from /proc) shows the
// server's saving alone, without the client's and the transport's share.
//
//   npm run build && node bench/list-instruments.mjs [--rounds 15] [--smoke]
import { Client, credentials } from '@grpc/grpc-js';
import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { ListInstrumentsRequest } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { spawnScript } from './support/child-script.mjs';
import { cpuSecondsOf } from './support/proc-cpu.mjs';
import { benchArgs, quantile, report } from './support/report.mjs';
import { stopChild } from './support/service-process.mjs';

const args = benchArgs({ rounds: { type: 'string', default: '15' } });
const rounds = args.smoke ? 1 : Number(args.rounds);
const PATH = '/instruments.v1.InstrumentService/ListInstruments';
const PAGE_SIZES = [1000, 0];
const TARGET_RATIO = 10;

/** A page without decoding it: how many instruments (field 1) and the next token (field 2). */
function readPage(bytes) {
  const reader = new BinaryReader(bytes);
  let instruments = 0;
  let nextPageToken = '';
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1 && wireType === WireType.LengthDelimited) {
      instruments++;
      reader.skip(wireType, field);
    } else if (field === 2 && wireType === WireType.LengthDelimited) {
      nextPageToken = reader.string();
    } else {
      reader.skip(wireType, field);
    }
  }
  return { instruments, nextPageToken, bytes: bytes.length };
}

function listPage(client, pageSize, pageToken) {
  const request = ListInstrumentsRequest.fromPartial({ pageSize, pageToken });
  return new Promise((resolve, reject) => {
    client.makeUnaryRequest(PATH, (r) => Buffer.from(ListInstrumentsRequest.encode(r).finish()), readPage, request, (error, page) => (error ? reject(error) : resolve(page)));
  });
}

/** One full traversal: instruments and bytes received, and its duration (ms). */
async function traverse(client, pageSize) {
  let instruments = 0;
  let bytes = 0;
  let pages = 0;
  let pageToken = '';
  const started = performance.now();
  do {
    const page = await listPage(client, pageSize, pageToken);
    instruments += page.instruments;
    bytes += page.bytes;
    pages++;
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return { instruments, bytes, pages, ms: performance.now() - started };
}

/**
 * Warm-up, then `rounds` alternating traversals of both servers; median per server. Also the
 * server process's CPU per traversal (only one server is busy at a time), which is what caching
 * saves, without the client's share of the wall time.
 */
async function measure(clients, serverPid, pageSize, universe) {
  const times = { cached: [], perRequest: [] };
  const cpuS = { cached: 0, perRequest: 0 };
  let shape;
  for (const name of Object.keys(times)) {
    shape = await traverse(clients[name], pageSize);
    if (shape.instruments !== universe) throw new Error(`${name} listed ${shape.instruments} instruments at page_size ${pageSize}, the store holds ${universe}`);
  }
  for (let round = 0; round < rounds; round++) {
    // Each server goes first in every other round: neither always follows the other's garbage.
    const order = round % 2 === 0 ? ['cached', 'perRequest'] : ['perRequest', 'cached'];
    for (const name of order) {
      const before = cpuSecondsOf(serverPid);
      times[name].push((await traverse(clients[name], pageSize)).ms);
      cpuS[name] += cpuSecondsOf(serverPid) - before;
    }
  }
  const perS = (ms) => universe / (ms / 1000);
  const cached = perS(quantile(times.cached, 0.5));
  const perRequest = perS(quantile(times.perRequest, 0.5));
  // NaN off Linux (no /proc).
  const cpuMs = (name) => (1000 * cpuS[name]) / rounds;
  return {
    pageSize: pageSize || 100, pageSizeSent: pageSize, pages: shape.pages, bytes: shape.bytes, cachedPerS: cached, perRequestPerS: perRequest, ratio: cached / perRequest,
    serverCpuMsPerTraversal: { cached: cpuMs('cached'), perRequest: cpuMs('perRequest') }, times,
  };
}

const server = spawnScript(new URL('./support/list-server.mjs', import.meta.url).pathname);
const clients = {};
try {
  const ready = JSON.parse(await server.firstLine);
  clients.cached = new Client(`127.0.0.1:${ready.cached}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  clients.perRequest = new Client(`127.0.0.1:${ready.perRequest}`, credentials.createInsecure(), { 'grpc.max_receive_message_length': -1 });
  const results = [];
  for (const pageSize of PAGE_SIZES) results.push(await measure(clients, server.child.pid, pageSize, ready.instruments));
  report({
    bench: 'list-instruments', instruments: ready.instruments, revision: ready.revision, exchanges: ready.exchanges,
    perRequestOptionInDist: ready.perRequestOptionInDist, rounds, pick: 'median traversal', smoke: args.smoke, results,
    targets: results.map((r) => ({
      name: `ListInstruments, page_size ${r.pageSize}: cached ≥ ${TARGET_RATIO}× per-request encoding (instruments/s)`,
      measured: `${r.ratio.toFixed(2)}×`, met: r.ratio >= TARGET_RATIO,
    })),
  }, results.map((r) => ({
    pageSize: r.pageSizeSent === 0 ? '0 (default 100)' : r.pageSize, pages: r.pages, MiB: r.bytes / 2 ** 20, cachedInstrumentsPerS: r.cachedPerS, perRequestInstrumentsPerS: r.perRequestPerS, ratio: r.ratio,
    cachedServerCpuMs: r.serverCpuMsPerTraversal.cached, perRequestServerCpuMs: r.serverCpuMsPerTraversal.perRequest,
  })));
  if (!ready.perRequestOptionInDist) console.log('note: dist/ has no responseEncoding option yet: both servers encode per request, so the ratio is ~1');
} finally {
  for (const client of Object.values(clients)) client.close();
  await stopChild(server.child);
}
