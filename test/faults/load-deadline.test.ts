// The load deadline (live.load_timeout_seconds) in the worker pool: CCXT's timeout stops at the
// response headers, so a body that trickles in forever would keep a load, its slot and its socket.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MarketLoaderPool } from '../../src/adapters/ccxt/market-loader-pool.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { TEST_CONFIG } from '../support/service-harness.js';
import { startRefreshing } from '../../src/app/refreshing.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { pino } from 'pino';

let replay: ReplayServer;
let pool: MarketLoaderPool;
beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  pool = new MarketLoaderPool({ size: 1 });
});
afterAll(async () => {
  await pool.close();
  await replay.close();
});

/** Answers every request with headers and then a byte every 50 ms, forever; records when a response's socket closes. */
async function endlessTrickle(): Promise<{ url: string; open: Set<ServerResponse>; closed: number[]; close(): Promise<void> }> {
  const open = new Set<ServerResponse>();
  const closed: number[] = [];
  const server = createServer((_req, res) => {
    open.add(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"markets":{');
    const timer = setInterval(() => res.write(' '), 50);
    res.once('close', () => {
      clearInterval(timer);
      open.delete(res);
      closed.push(Date.now());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`, open, closed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

const loadDydx = (timeoutMs: number) => pool.load('dydx', { proxyUrl: replay.url, ccxt: {} }, { timeoutMs });

it('fails a load still reading its body at the deadline, aborts its request, and the worker loads again', async () => {
  // Warm the worker first (it imports CCXT on start), so the deadline below is spent on the trickle.
  expect((await loadDydx(60_000)).definitions.length).toBeGreaterThan(100);
  const trickle = await endlessTrickle();
  try {
    const started = Date.now();
    // CCXT's own timeout (1 s) is shorter than the deadline: the headers come at once, so it never fires.
    const load = pool.load('dydx', { proxyUrl: trickle.url, ccxt: { timeout: 1000 } }, { timeoutMs: 1500 });
    await expect(load).rejects.toMatchObject({ name: 'LoadTimeout', message: 'dydx load did not finish within 1500 ms; abandoned and its requests aborted' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    // The worker aborted the request: the server sees its socket close (it would stay open for good otherwise).
    for (const deadline = Date.now() + 10_000; trickle.closed.length === 0;) {
      if (Date.now() > deadline) throw new Error(`the trickling request was not aborted (${trickle.open.size} open)`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(trickle.open.size).toBe(0);
  } finally {
    await trickle.close();
  }
  // The same worker is healthy and loads again.
  expect((await loadDydx(60_000)).definitions.length).toBeGreaterThan(100);
});

it('cancels a load whose caller gives up (its refresher stopped), aborting its request, and the worker loads again', async () => {
  expect((await loadDydx(60_000)).definitions.length).toBeGreaterThan(100);
  const trickle = await endlessTrickle();
  try {
    const abort = new AbortController();
    const load = pool.load('dydx', { proxyUrl: trickle.url, ccxt: {} }, { timeoutMs: 60_000, signal: abort.signal });
    // Give up once the request is on the wire.
    for (const deadline = Date.now() + 10_000; trickle.open.size === 0;) {
      if (Date.now() > deadline) throw new Error('the load never reached the server');
      await new Promise((r) => setTimeout(r, 20));
    }
    abort.abort();
    await expect(load).rejects.toMatchObject({ name: 'LoadCancelled', message: 'dydx load cancelled by its caller; its requests aborted' });
    for (const deadline = Date.now() + 10_000; trickle.closed.length === 0;) {
      if (Date.now() > deadline) throw new Error(`the cancelled request was not aborted (${trickle.open.size} open)`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(trickle.open.size).toBe(0);
    // A signal already aborted never starts a load.
    await expect(pool.load('dydx', { proxyUrl: trickle.url, ccxt: {} }, { signal: abort.signal })).rejects.toMatchObject({ name: 'LoadCancelled' });
    expect(trickle.closed.length).toBe(1);
  } finally {
    await trickle.close();
  }
  expect((await loadDydx(60_000)).definitions.length).toBeGreaterThan(100);
});

it('aborts the request of a refresher stopped mid-load (a poller losing its lease), so two pollers never overlap', async () => {
  const trickle = await endlessTrickle();
  const store = new InstrumentStore();
  const refreshing = startRefreshing({ ...TEST_CONFIG, proxyUrl: trickle.url, exchanges: { dydx: { ccxt: {}, sandbox: false } } }, store, pino({ level: 'silent' }), undefined, undefined, { commit: async () => undefined });
  try {
    refreshing.poll('dydx', true);
    for (const deadline = Date.now() + 20_000; trickle.open.size === 0;) {
      if (Date.now() > deadline) throw new Error('the refresher never reached the server');
      await new Promise((r) => setTimeout(r, 20));
    }
    refreshing.poll('dydx', false);
    for (const deadline = Date.now() + 10_000; trickle.closed.length === 0;) {
      if (Date.now() > deadline) throw new Error(`the stopped refresher's request was not aborted (${trickle.open.size} open)`);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(trickle.open.size).toBe(0);
  } finally {
    await refreshing.stop();
    await trickle.close();
  }
});
