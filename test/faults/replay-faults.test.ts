// The replay exchange's fault layer: which requests get a fault (FaultTable), what each fault
// answers (planFault, over the real recordings), and the HTTP behaviour of the kinds that need
// sockets (reset, trickle, hang, released on close()).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFault, truncateMarketList } from '../../src/adapters/replay/fault-plan.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { FaultTable, type ReplayFault } from '../../src/adapters/replay/replay-fault.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { waitFor } from '../support/wait-for.js';

const COINM_URL = 'https://dapi.binance.com/dapi/v1/exchangeInfo';
const DYDX_URL = 'https://indexer.dydx.trade/v4/perpetualMarkets';
const coinmBody = readFileSync(path.join(EXCHANGES_DIR, 'binancecoinm', 'dapi_v1_exchangeInfo.json'));
const dydxBody = readFileSync(path.join(EXCHANGES_DIR, 'dydx', 'v4_perpetualMarkets.json'));
const recorded = (body: Buffer) => ({ status: 200, contentType: 'application/json', body });
const HANG: ReplayFault = { kind: 'hang' };

describe('FaultTable', () => {
  it('serves a fault `times` times, then nothing', () => {
    const table = new FaultTable();
    table.set(DYDX_URL, HANG, { times: 2 });
    expect([table.take(null, DYDX_URL), table.take('dydx', DYDX_URL), table.take(null, DYDX_URL)]).toEqual([HANG, HANG, undefined]);
    expect(table.take(null, COINM_URL)).toBeUndefined();
  });

  it('keeps a fault without `times` until cleared; a prefix-specific fault wins on its prefix only', () => {
    const table = new FaultTable();
    const empty: ReplayFault = { kind: 'empty' };
    table.set(DYDX_URL, HANG);
    table.set(DYDX_URL, empty, { prefix: '/dydx/' });
    for (let i = 0; i < 3; i++) expect(table.take('dydx', DYDX_URL)).toBe(empty);
    expect(table.take('other', DYDX_URL)).toBe(HANG);
    expect(table.take(null, DYDX_URL)).toBe(HANG);
    expect(table.clear(DYDX_URL, 'dydx')).toBe(true);
    expect(table.take('dydx', DYDX_URL)).toBe(HANG);
    expect(table.clear(DYDX_URL)).toBe(true);
    expect(table.clear(DYDX_URL)).toBe(false);
    expect(table.take('dydx', DYDX_URL)).toBeUndefined();
  });

  it('serves a list of faults in order: once through, or round and round for `times`', () => {
    const table = new FaultTable();
    const cut: ReplayFault = { kind: 'truncated-list', keep: 0.1 };
    const take = (n: number) => Array.from({ length: n }, () => table.take(null, DYDX_URL));
    table.set(DYDX_URL, [cut, HANG]);
    expect(take(3)).toEqual([cut, HANG, undefined]);
    table.set(DYDX_URL, [cut, HANG], { times: 5 });
    expect(take(6)).toEqual([cut, HANG, cut, HANG, cut, undefined]);
    expect(() => table.set(DYDX_URL, [])).toThrow(RangeError);
  });

  it('refuses a `times` that is not a whole number >= 1', () => {
    const table = new FaultTable();
    for (const times of [0, -1, 1.5, Number.NaN]) expect(() => table.set(DYDX_URL, HANG, { times })).toThrow(RangeError);
  });
});

describe('planFault over the recordings', () => {
  it('truncated-list keeps the first share of binance `symbols`, everything else as recorded', () => {
    const raw = JSON.parse(coinmBody.toString()) as { symbols: { symbol: string }[] } & Record<string, unknown>;
    const cut = JSON.parse(truncateMarketList(coinmBody, 0.1).toString()) as typeof raw;
    expect(cut.symbols.map((s) => s.symbol)).toEqual(raw.symbols.slice(0, Math.floor(raw.symbols.length * 0.1)).map((s) => s.symbol));
    expect({ ...cut, symbols: [] }).toEqual({ ...raw, symbols: [] });
  });

  it('truncated-list cuts dYdX\'s `markets` object the same way', () => {
    const raw = JSON.parse(dydxBody.toString()) as { markets: Record<string, unknown> };
    const plan = planFault({ kind: 'truncated-list', keep: 0.5 }, recorded(dydxBody));
    if (plan.kind !== 'send') throw new Error(plan.kind);
    const cut = JSON.parse(plan.body.toString()) as typeof raw;
    const keys = Object.keys(raw.markets);
    expect(Object.keys(cut.markets)).toEqual(keys.slice(0, Math.floor(keys.length / 2)));
    expect(() => truncateMarketList(Buffer.from('{"serverTime":1}'), 0.5)).toThrow(/no list of records/);
  });

  it('malformed-json is the recording cut in half; empty and html answer 200', () => {
    const half = planFault({ kind: 'malformed-json' }, recorded(coinmBody));
    expect(half).toMatchObject({ kind: 'send', head: { status: 200 }, body: coinmBody.subarray(0, Math.floor(coinmBody.length / 2)) });
    if (half.kind === 'send') expect(() => JSON.parse(half.body.toString()) as unknown).toThrow(SyntaxError);
    expect(planFault({ kind: 'empty' }, recorded(coinmBody))).toMatchObject({ head: { status: 200, headers: { 'content-length': 0 } } });
    expect(planFault({ kind: 'html' }, recorded(coinmBody))).toMatchObject({ head: { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } } });
  });

  it('status faults carry their headers; the content type follows the body', () => {
    const json = planFault({ kind: 'status', status: 429, headers: { 'Retry-After': '7' }, body: '{"code":-1003}' }, recorded(coinmBody));
    expect(json).toMatchObject({ head: { status: 429, headers: { 'Retry-After': '7', 'content-type': 'application/json' } } });
    expect(planFault({ kind: 'status', status: 503 }, recorded(coinmBody))).toMatchObject({
      head: { status: 503, headers: { 'content-type': 'text/plain; charset=utf-8' } }, body: Buffer.from('replay fault: HTTP 503\n'),
    });
  });
});

describe('faults over HTTP', () => {
  let replay: ReplayServer;
  beforeAll(async () => {
    replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  });
  afterAll(() => replay.close());
  const get = (prefix?: string) => fetch(`${replay.proxyUrlFor(prefix)}${COINM_URL}`);

  it('answers the next `times` requests with the fault and logs each with its time, then the recording', async () => {
    const since = Date.now();
    replay.fault(COINM_URL, { kind: 'status', status: 418, headers: { 'Retry-After': '120' }, body: '{"code":-1003}' }, { times: 2 });
    for (let i = 0; i < 2; i++) {
      const res = await get();
      expect([res.status, res.headers.get('retry-after'), await res.text()]).toEqual([418, '120', '{"code":-1003}']);
    }
    const res = await get();
    expect(Buffer.from(await res.arrayBuffer()).equals(coinmBody)).toBe(true);
    const log = replay.requestLog().filter((e) => e.at >= since);
    expect(log.map((e) => [e.status, e.source, e.fault])).toEqual([[418, 'fault', 'status'], [418, 'fault', 'status'], [200, 'global', undefined]]);
    expect(log.map((e) => e.at)).toEqual([...log.map((e) => e.at)].sort((a, b) => a - b));
    expect(replay.requestCount(COINM_URL, since)).toBe(3);
  });

  it('a prefix-restricted fault leaves other prefixes alone', async () => {
    replay.fault(COINM_URL, { kind: 'empty' }, { prefix: 'binancecoinm' });
    expect(await (await get('binancecoinm')).text()).toBe('');
    expect(Buffer.from(await (await get('binance')).arrayBuffer()).equals(coinmBody)).toBe(true);
    expect(replay.clearFault(COINM_URL, { prefix: 'binancecoinm' })).toBe(true);
    expect(Buffer.from(await (await get('binancecoinm')).arrayBuffer()).equals(coinmBody)).toBe(true);
  });

  it('reset sends the status and half the body, then the connection breaks while the body is read', async () => {
    replay.fault(COINM_URL, { kind: 'reset' }, { times: 1 });
    const res = await get();
    expect([res.status, res.headers.get('content-length')]).toEqual([200, String(coinmBody.length)]);
    await expect(res.arrayBuffer()).rejects.toThrow();
  });

  it('trickle sends the whole recording in chunks', async () => {
    const chunkBytes = Math.ceil(coinmBody.length / 4);
    // Four chunks 10 ms apart (test input): the interval only spaces the writes.
    replay.fault(COINM_URL, { kind: 'trickle', chunkBytes, intervalMs: 10 }, { times: 1 });
    const res = await get();
    const chunks: Uint8Array[] = [];
    for await (const chunk of res.body ?? []) chunks.push(chunk as Uint8Array);
    expect(Buffer.concat(chunks).equals(coinmBody)).toBe(true);
    // One chunk per interval: the client may read some together, but not the body in one piece.
    expect(chunks.length).toBeGreaterThanOrEqual(2);
  });

  it('hang never answers, and close() releases the socket instead of waiting for it', async () => {
    const own = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
    own.fault(COINM_URL, HANG);
    const pending = fetch(`${own.url}${COINM_URL}`).then(() => 'answered', () => 'failed');
    await waitFor(() => own.requestCount(COINM_URL) > 0, 'the request to reach the replay exchange');
    expect(own.requestLog()).toEqual([expect.objectContaining({ status: 0, source: 'fault', fault: 'hang' })]);
    await own.close();
    expect(await pending).toBe('failed');
  });
});
