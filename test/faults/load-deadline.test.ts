// The load deadline (live.load_timeout_seconds) in the worker pool: CCXT's timeout stops at the
// response headers, so a body that trickles in forever would keep a load, its slot and its socket.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MarketLoaderPool } from '../../src/adapters/ccxt/market-loader-pool.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { startDelayProbe } from '../support/machine-delay.js';
import { TEST_CONFIG } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
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

interface Trickle {
  url: string;
  /** Requests received so far. */
  requests: number;
  open: Set<ServerResponse>;
  closed: number[];
  close(): Promise<void>;
}

/** Answers every request with headers and then a byte every 50 ms, forever; records when a response's socket closes. */
async function endlessTrickle(): Promise<Trickle> {
  const open = new Set<ServerResponse>();
  const closed: number[] = [];
  const server = createServer((_req, res) => {
    trickle.requests += 1;
    open.add(res);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"markets":{');
    // The trickle itself (test input): a body that never ends, so only the deadline can.
    const timer = setInterval(() => res.write(' '), 50);
    res.once('close', () => {
      clearInterval(timer);
      open.delete(res);
      closed.push(Date.now());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const trickle: Trickle = {
    url: `http://127.0.0.1:${port}/`, requests: 0, open, closed,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  return trickle;
}

/** A load that must succeed: its deadline is one wait's patience. */
const loadDydx = () => pool.load('dydx', { proxyUrl: replay.url, ccxt: {} }, { timeoutMs: PATIENCE_MS });

const requestOnTheWire = (trickle: Trickle, what: string) =>
  waitFor(() => trickle.open.size > 0 || notYet(`${trickle.requests} requests`), what);
/** Aborted: the server sees its socket close (it would stay open for good otherwise). */
const requestAborted = (trickle: Trickle, what: string) =>
  waitFor(() => trickle.closed.length > 0 || notYet(`${trickle.open.size} open`), what);

const LOAD_DEADLINE_MS = 1500;

it('fails a load still reading its body at the deadline, aborts its request, and the worker loads again', async () => {
  // Warm the worker first (it imports CCXT on start), so the deadline below is spent on the trickle.
  expect((await loadDydx()).definitions.length).toBeGreaterThan(100);
  const trickle = await endlessTrickle();
  const delay = startDelayProbe();
  try {
    const started = performance.now();
    // CCXT's own timeout (1 s) is shorter than the deadline: the headers come at once, so it never fires.
    const load = pool.load('dydx', { proxyUrl: trickle.url, ccxt: { timeout: 1000 } }, { timeoutMs: LOAD_DEADLINE_MS });
    await expect(load).rejects.toMatchObject({ name: 'LoadTimeout', message: `dydx load did not finish within ${LOAD_DEADLINE_MS} ms; abandoned and its requests aborted` });
    const elapsedMs = performance.now() - started;
    console.info(`load deadline ${LOAD_DEADLINE_MS} ms: rejected after ${elapsedMs.toFixed(1)} ms, timers of this thread late by up to ${delay.maxLagMs().toFixed(1)} ms`);
    // Not before the deadline; and at it: the deadline is a timer of this thread, so it can be late
    // by no more than this thread's timers were, measured over the same stretch (the probe's
    // figure includes its 10 ms sampling interval, which covers the rejection reaching the test).
    expect(elapsedMs).toBeGreaterThanOrEqual(LOAD_DEADLINE_MS - 1);
    expect(elapsedMs).toBeLessThanOrEqual(LOAD_DEADLINE_MS + delay.maxLagMs());
    await requestAborted(trickle, 'the trickling request to be aborted');
    expect(trickle.open.size).toBe(0);
  } finally {
    delay.stop();
    await trickle.close();
  }
  // The same worker is healthy and loads again.
  expect((await loadDydx()).definitions.length).toBeGreaterThan(100);
}, 3 * PATIENCE_MS); // three waits: the warm-up load, the abort, the load after it

it('cancels a load whose caller gives up (its refresher stopped), aborting its request, and the worker loads again', async () => {
  expect((await loadDydx()).definitions.length).toBeGreaterThan(100);
  const trickle = await endlessTrickle();
  try {
    const abort = new AbortController();
    // A deadline the test never reaches: it gives up within one wait, so the load ends cancelled.
    const load = pool.load('dydx', { proxyUrl: trickle.url, ccxt: {} }, { timeoutMs: 2 * PATIENCE_MS, signal: abort.signal });
    // Give up once the request is on the wire.
    await requestOnTheWire(trickle, 'the load to reach the server');
    abort.abort();
    await expect(load).rejects.toMatchObject({ name: 'LoadCancelled', message: 'dydx load cancelled by its caller; its requests aborted' });
    await requestAborted(trickle, 'the cancelled request to be aborted');
    expect(trickle.open.size).toBe(0);
    // A signal already aborted never starts a load: refused at once, and (below) the trickle never
    // sees its request, even once the worker has since finished a whole load after it.
    await expect(pool.load('dydx', { proxyUrl: trickle.url, ccxt: {} }, { signal: abort.signal })).rejects.toMatchObject({ name: 'LoadCancelled' });
    expect((await loadDydx()).definitions.length).toBeGreaterThan(100);
    expect([trickle.requests, trickle.closed.length, trickle.open.size]).toEqual([1, 1, 0]);
  } finally {
    await trickle.close();
  }
}, 4 * PATIENCE_MS); // four waits: the warm-up load, the request, the abort, the load after it

it('aborts the request of a refresher stopped mid-load (a poller losing its lease), so two pollers never overlap', async () => {
  const trickle = await endlessTrickle();
  const store = new InstrumentStore();
  const refreshing = startRefreshing({ ...TEST_CONFIG, proxyUrl: trickle.url, exchanges: { dydx: { ccxt: {}, sandbox: false } } }, store, pino({ level: 'silent' }), undefined, undefined, { commit: async () => undefined });
  try {
    refreshing.poll('dydx', true);
    await requestOnTheWire(trickle, 'the refresher to reach the server');
    refreshing.poll('dydx', false);
    await requestAborted(trickle, "the stopped refresher's request to be aborted");
    expect(trickle.open.size).toBe(0);
  } finally {
    await refreshing.stop();
    await trickle.close();
  }
}, 3 * PATIENCE_MS); // three waits: the request, the abort, the refresher's stop
