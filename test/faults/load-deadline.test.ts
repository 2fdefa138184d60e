// The load deadline (live.load_timeout_seconds) in the worker pool: CCXT's timeout stops at the
// response headers, so a body that trickles in forever would keep a load, its slot and its socket.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { MarketLoaderPool } from '../../src/adapters/ccxt/market-loader-pool.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';

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
