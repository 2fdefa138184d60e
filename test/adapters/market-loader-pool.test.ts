// The pool against real CCXT through the replay exchange. The workers run the built JavaScript
// (dist/, built by vitest's globalSetup); this file runs the TypeScript pool.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as WorkerThreads from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { createExchange, type ExchangeSettings } from '../../src/adapters/ccxt/create-exchange.js';
import { loadDefinitions } from '../../src/adapters/ccxt/load-definitions.js';
import { MarketLoaderPool, retryAfterOf } from '../../src/adapters/ccxt/market-loader-pool.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { parseRetryAfter } from '../../src/domain/backoff.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';

// Records the pool's workers, so tests can count, watch and kill them.
const spawned = vi.hoisted(() => [] as WorkerThreads.Worker[]);
vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof WorkerThreads>();
  class RecordedWorker extends actual.Worker {
    constructor(...args: ConstructorParameters<typeof actual.Worker>) {
      super(...args);
      spawned.push(this);
    }
  }
  return { ...actual, Worker: RecordedWorker };
});

let replay: ReplayServer;
const pools: MarketLoaderPool[] = [];
beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
});
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
  replay.clearOverrides();
});
afterAll(() => replay.close());

function newPool(size = 2): MarketLoaderPool {
  const pool = new MarketLoaderPool({ size });
  pools.push(pool);
  return pool;
}

const settingsFor = (id: string, proxyUrl = replay.url): ExchangeSettings => ({ ccxt: replay.ccxtOptionsFor(id), proxyUrl });
const withoutLastUpdated = (definitions: InstrumentDefinition[]) => definitions.map(({ lastUpdated: _, ...rest }) => rest);
const exited = (worker: WorkerThreads.Worker) => new Promise<number>((resolve) => worker.once('exit', resolve));

/**
 * What `work` costs this (the main) thread: its event loop's busy time (not waiting for I/O or
 * timers), and, for the log, the largest gap between the ticks of a 10 ms interval.
 */
async function mainThreadCost(work: () => Promise<unknown>): Promise<{ busyMs: number; maxGapMs: number }> {
  let last = performance.now();
  let maxGapMs = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 10);
  const before = performance.eventLoopUtilization();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  const busyMs = performance.eventLoopUtilization(before).active;
  return { busyMs, maxGapMs: Math.max(maxGapMs, performance.now() - last) };
}

/** An exchange stand-in that answers every request with 429 and `retryAfter`. */
async function rateLimiting(retryAfter: string): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(429, { 'content-type': 'text/plain', 'retry-after': retryAfter }).end('slow down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('MarketLoaderPool', () => {
  it.each(['binance', 'deribit'])('%s: the same definitions as loadDefinitions on the main thread', async (id) => {
    const pool = newPool();
    const [pooled, direct] = await Promise.all([
      pool.load(id, settingsFor(id)),
      loadDefinitions(createExchange(id, settingsFor(id))),
    ]);
    expect(pooled.definitions.length).toBeGreaterThan(100);
    expect(withoutLastUpdated(pooled.definitions)).toEqual(withoutLastUpdated(direct.definitions));
    expect(pooled.definitions[0]?.lastUpdated).toEqual(pooled.receivedAt);
    expect(pooled.rejected).toEqual(direct.rejected);
    expect(pooled.durationMs).toBeGreaterThan(0);
  });

  it('keeps an exchange on its worker', async () => {
    const pool = newPool(2);
    const before = spawned.length;
    const first = await pool.load('deribit', settingsFor('deribit'));
    const other = await pool.load('binance', settingsFor('binance'));
    const reloaded = await pool.load('deribit', settingsFor('deribit'));
    // binance went to the second, idle worker; deribit came back to its own.
    expect(spawned.length - before).toBe(2);
    expect(other.definitions.length).toBeGreaterThan(100);
    expect(reloaded.definitions.length).toBe(first.definitions.length);
    // The reload changed nothing: every definition is the object of the first load, none decoded again.
    expect(reloaded.decoded).toBe(0);
    expect(reloaded.definitions.every((d, i) => d === first.definitions[i])).toBe(true);
  });

  it('keeps the main thread free while a worker loads binance', async () => {
    const pool = newPool(1);
    const pooled = await mainThreadCost(() => pool.load('binance', settingsFor('binance')));
    const direct = await mainThreadCost(() => loadDefinitions(createExchange('binance', settingsFor('binance'))));
    console.info(`main thread while loading binance: in the pool busy ${pooled.busyMs.toFixed(1)} ms (max timer gap ${pooled.maxGapMs.toFixed(1)} ms), ` +
      `on the main thread busy ${direct.busyMs.toFixed(1)} ms (max timer gap ${direct.maxGapMs.toFixed(1)} ms)`);
    // The work done on the main thread, compared within one run: loading there runs CCXT's parse on
    // it, the pool only decodes the handed-over buffer. Busy time, unlike a timer gap, is not
    // stretched by the machine while the thread waits idle, so CPU contention cannot close the gap.
    expect(pooled.busyMs * 2).toBeLessThan(direct.busyMs);
  });

  it('a 429 with Retry-After in seconds fails with the CCXT error name and retryAfterMs', async () => {
    const limiter = await rateLimiting('7');
    try {
      const error = await newPool().load('deribit', settingsFor('deribit', limiter.url)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({ name: 'RateLimitExceeded', retryAfterMs: 7000 });
      expect((error as Error).message).toMatch(/deribit GET .*get_currencies 429/);
      expect(retryAfterOf(error)).toBe(7000);
    } finally {
      limiter.server.close();
    }
  });

  it('a Retry-After HTTP-date becomes the time left until then', async () => {
    // Test input: a date 30 s ahead, in whole seconds as HTTP-dates are (so up to 1 s less).
    const ahead = 30_000;
    const started = Date.now();
    const limiter = await rateLimiting(new Date(started + ahead).toUTCString());
    try {
      const error = await newPool().load('binance', settingsFor('binance', limiter.url)).catch((e: unknown) => e);
      const elapsedMs = Date.now() - started;
      expect(error).toMatchObject({ name: 'DDoSProtection' }); // how CCXT's binance names a 429
      const retryAfterMs = retryAfterOf(error) ?? 0;
      // The time left when the worker read the header: the date less the time the load had taken
      // by then, which is at most what this run measured for the whole load.
      expect(retryAfterMs).toBeGreaterThan(ahead - 1000 - elapsedMs);
      expect(retryAfterMs).toBeLessThanOrEqual(ahead);
    } finally {
      limiter.server.close();
    }
  });

  it('a 429 without Retry-After (replay override) has no retryAfterMs; the next load succeeds', async () => {
    const pool = newPool();
    replay.override('https://www.deribit.com/api/v2/public/get_currencies', { status: 429, body: 'too many requests', contentType: 'text/plain' });
    const error = await pool.load('deribit', settingsFor('deribit')).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'RateLimitExceeded' });
    expect(retryAfterOf(error)).toBeUndefined();
    replay.clearOverrides();
    expect((await pool.load('deribit', settingsFor('deribit'))).definitions.length).toBeGreaterThan(100);
  });

  it('rejects an unknown exchange id with the error from the worker', async () => {
    await expect(newPool().load('notanexchange', {})).rejects.toThrow(/"notanexchange" is not a CCXT exchange id/);
  });

  it('a killed worker rejects its loads in flight and is replaced on next use', async () => {
    const pool = newPool(1);
    const before = spawned.length;
    const inFlight = pool.load('binance', settingsFor('binance'));
    const worker = spawned[before];
    if (worker === undefined) throw new Error('no worker spawned');
    await worker.terminate();
    await expect(inFlight).rejects.toThrow(/market loader worker 0 stopped \(exit code \d+\) while loading binance/);

    const again = await pool.load('binance', settingsFor('binance'));
    expect([again.definitions.length > 100, spawned.length - before]).toEqual([true, 2]);
  });

  it('close() ends every worker and refuses further loads', async () => {
    const pool = newPool(2);
    await Promise.all([pool.load('deribit', settingsFor('deribit')), pool.load('binance', settingsFor('binance'))]);
    const workers = spawned.slice(-2);
    const exits = workers.map(exited);
    const inFlight = pool.load('deribit', settingsFor('deribit')).catch((e: unknown) => e);
    await pool.close();
    expect(await Promise.all(exits)).toHaveLength(2);
    expect(await inFlight).toMatchObject({ message: 'market loader pool closed while loading deribit' });
    await expect(pool.load('deribit', settingsFor('deribit'))).rejects.toThrow(/closed/);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['7', 7000],
    [' 120 ', 120_000],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:59:00 GMT', 0],
    ['soon', undefined],
    ['-5', undefined],
    ['1.5', undefined],
  ])('%j → %s', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});
