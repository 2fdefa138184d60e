// `instruments convert` against the built binary: the same lines `sync --once` writes for the same
// markets (a recording loaded through real CCXT, dumped as a bot would dump exchange.markets),
// CCXT's own samples on stdin as object or array, and each usage error as one line with exit 2.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Exchange } from 'ccxt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createExchange } from '../../src/adapters/ccxt/create-exchange.js';
import { convertContextOf, convertMarkets } from '../../src/adapters/ccxt/load-definitions.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { definitionLines } from '../../src/cli/sync-command.js';
import { CLI } from '../support/demo-process.js';
import { EXCHANGES_DIR, UNIFIED_MARKETS_DIR } from '../support/fixtures.js';
import { PATIENCE_MS } from '../support/wait-for.js';

const execFileP = promisify(execFile);

interface Run { code: number; stdout: string; stderr: string }
async function instruments(args: string[], stdin?: string): Promise<Run> {
  const running = execFileP(process.execPath, [CLI, ...args], { maxBuffer: 128 * 1024 * 1024 });
  running.child.stdin?.end(stdin ?? '');
  try {
    const { stdout, stderr } = await running;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// last_updated is when the markets were received: the one field two runs cannot share.
const comparable = (stdout: string): string[] => stdout.trim().split('\n').map((line) => {
  const definition = JSON.parse(line) as Record<string, unknown>;
  delete definition['lastUpdated'];
  return JSON.stringify(definition);
});

const dir = mkdtempSync(join(tmpdir(), 'instruments-convert-'));
const sample = (id: string): string => readFileSync(join(UNIFIED_MARKETS_DIR, `${id}.json`), 'utf8');
let replay: ReplayServer;
let dumped: string;
let loaded: Exchange;

beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  loaded = createExchange('dydx', { ccxt: replay.ccxtOptionsFor('dydx'), proxyUrl: replay.url }, {});
  await loaded.loadMarkets();
  dumped = join(dir, 'dydx-markets.json');
  writeFileSync(dumped, JSON.stringify(loaded.markets));
}, PATIENCE_MS);
afterAll(() => replay.close());

describe('instruments convert', () => {
  it('writes what sync --once writes for the same markets', async () => {
    const [sync, convert] = await Promise.all([
      instruments(['sync', '--once', '--exchanges', 'dydx', '--proxy-url', replay.url]),
      instruments(['convert', '--exchange', 'dydx', '--markets', dumped]),
    ]);
    expect(sync.code).toBe(0);
    expect(convert.code).toBe(0);
    const lines = comparable(convert.stdout);
    expect(lines.length).toBe(Object.keys(loaded.markets ?? {}).length);
    expect(lines).toEqual(comparable(sync.stdout));
    expect(convert.stderr).toBe(`convert: dydx: ${lines.length} instruments\n`);
  });

  it('reads a CCXT sample on stdin, as an object or an array, like the loader converts it', async () => {
    // Bybit's sample has options with `info: null`: they convert like any other market.
    const text = sample('bybit');
    const markets = Object.values(JSON.parse(text) as Record<string, unknown>);
    const now = new Date();
    const inProcess = convertMarkets(markets, convertContextOf(createExchange('bybit', {}, {}), now));
    expect(inProcess.rejected).toEqual([]);
    const expected = comparable(`${definitionLines(inProcess.definitions, now).join('\n')}\n`);
    const [asObject, asArray] = await Promise.all([
      instruments(['convert', '--exchange', 'bybit'], text),
      instruments(['convert', '--exchange', 'bybit', '--markets', '-'], JSON.stringify(markets)),
    ]);
    for (const run of [asObject, asArray]) {
      expect(run.code).toBe(0);
      expect(comparable(run.stdout)).toEqual(expected);
    }
  });

  it('names each refused market on stderr with its reason and still exits 0', async () => {
    const markets = Object.values(JSON.parse(sample('kraken')) as Record<string, unknown>);
    const run = await instruments(['convert', '--exchange', 'kraken'], JSON.stringify([...markets, 'not a market', null]));
    expect(run.code).toBe(0);
    expect(comparable(run.stdout)).toHaveLength(markets.length);
    expect(run.stderr.trim().split('\n')).toEqual([
      'convert: (no symbol): conversion failed: not a market object',
      'convert: (no symbol): conversion failed: not a market object',
      `convert: kraken: ${markets.length} instruments, 2 markets refused`,
    ]);
  });

  it.each([
    [['convert', '--exchange', 'binanse'], '', /^instruments convert: --exchange: "binanse" is not a CCXT exchange id \(did you mean binance/],
    [['convert'], '', /^instruments convert: --exchange ID is required/],
    [['convert', '--exchange', 'kraken', '--markets', join(dir, 'missing.json')], '', /^instruments convert: cannot read .*missing\.json: ENOENT$/],
    [['convert', '--exchange', 'kraken'], '{"BTC/USD": ', /^instruments convert: stdin is not JSON: /],
    [['convert', '--exchange', 'kraken'], '42', /^instruments convert: stdin holds number; expected CCXT markets: an object keyed by symbol or an array$/],
    [['convert', '--exchange', 'kraken'], 'null', /^instruments convert: stdin holds null; expected/],
  ])('exits 2 with one line for %j', async (args, stdin, message) => {
    const run = await instruments(args, stdin);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
  });

  it('is in instruments --help', async () => {
    const run = await instruments(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('instruments convert --exchange ID [--markets FILE|-]');
  });
});
