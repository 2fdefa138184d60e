import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { CLI } from '../support/demo-process.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';

const execFileP = promisify(execFile);

interface Run { code: number; stdout: string; stderr: string }
async function instruments(args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await execFileP(process.execPath, [CLI, ...args], { maxBuffer: 128 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

let replay: ReplayServer;
const dir = mkdtempSync(join(tmpdir(), 'instruments-cli-'));
const config = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
});
afterAll(() => replay.close());

describe('instruments sync --once', () => {
  it('prints the exchanges that load and exits 1 naming the one that failed', async () => {
    // okx without the recording's defaultUnderlying asks for an unrecorded URL and fails.
    const run = await instruments(['sync', '--once', '--exchanges', 'okx,dydx', '--proxy-url', replay.url]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/sync: failed for 1 of 2 exchanges: okx \(ExchangeNotAvailable: .*404/);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { ccxtExchange: string });
    expect(lines.length).toBe(125);
    expect(new Set(lines.map((l) => l.ccxtExchange))).toEqual(new Set(['dydx']));
  });

  it('takes per-exchange CCXT options from --config, flags restricting the exchanges', async () => {
    const file = config('okx.yaml', 'live:\n  exchanges:\n    okx:\n      ccxt: { options: { defaultUnderlying: [BTC-USD] } }\n    deribit: {}\n');
    const run = await instruments(['sync', '--once', '--config', file, '--exchanges', 'okx', '--proxy-url', replay.url, '--format', 'jsonl']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/sync: okx: 270 instruments/);
  });

  it.each([
    [['sync', '--refresh-interval', 'soon'], /--refresh-interval: live.update_interval_seconds is "soon"; accepted: a number ≥ 0.1/],
    [['sync', '--once', '--format', 'csv'], /--format csv is not supported; accepted: jsonl/],
    [['sync', '--once', '--exchanges', 'binanse'], /--exchanges: live.exchanges: "binanse" is not a CCXT exchange id \(did you mean binance/],
    [['sync', '--once', '--bogus'], /Unknown option '--bogus'/],
    [['frobnicate'], /unknown command "frobnicate"; accepted: serve, sync, replay, demo, config/],
  ])('exits 2 with a message for %j', async (args, message) => {
    const run = await instruments(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
  it('prints a contract past its raw expiry as EXPIRED and inactive, as the service serves it', async () => {
    const started = Date.now();
    const run = await instruments(['sync', '--once', '--exchanges', 'deribit', '--proxy-url', replay.url]);
    expect(run.code).toBe(0);
    // The raw expirations, from Deribit's own get_instruments responses in the recording.
    const expirations = new Map<string, number>();
    for (const file of readdirSync(join(EXCHANGES_DIR, 'deribit')).filter((f) => f.includes('get_instruments'))) {
      const body = JSON.parse(readFileSync(join(EXCHANGES_DIR, 'deribit', file), 'utf8')) as { result?: { instrument_name: string; expiration_timestamp: number; kind: string }[] };
      for (const i of body.result ?? []) if (i.kind === 'future' || i.kind === 'option') expirations.set(i.instrument_name, i.expiration_timestamp);
    }
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as { exchangeRawSymbol: string; status: string; active?: boolean });
    const expired = lines.filter((d) => (expirations.get(d.exchangeRawSymbol) ?? Infinity) <= started);
    expect(expired.length).toBeGreaterThan(0);
    for (const d of expired) expect([d.exchangeRawSymbol, d.status, d.active ?? false]).toEqual([d.exchangeRawSymbol, 'INSTRUMENT_STATUS_EXPIRED', false]);
  });
});
