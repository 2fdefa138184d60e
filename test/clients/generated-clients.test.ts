import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRawJson } from '../support/fixtures.js';
import { canonical } from '../support/exact-decimal.js';
import { REPO_ROOT } from '../support/demo-process.js';
import { startHarness, waitForExchanges, type Harness } from '../support/service-harness.js';

// The generated Python and Go stubs against the real server: a lookup, and an error surfaced as
// the language's own gRPC error carrying the server's message.
const run = promisify(execFile);
const KEY = 'DERIBIT:PERPETUAL:BTC/USD:BTC';
const MISSING = 'DERIBIT:PERPETUAL:BTC/USD:ETH';
const raw = readRawJson<{ result: Array<Record<string, number | string>> }>('exchanges/deribit/get_instruments.json')
  .result.find((i) => i['instrument_name'] === 'BTC-PERPETUAL') as Record<string, number | string>;

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ deribit: 'fixture' });
  await waitForExchanges(h, ['deribit']);
});
afterAll(() => h.close());

function parseLines(stdout: string): Array<Record<string, unknown>> {
  return stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
}

function expectLookups(lines: Array<Record<string, unknown>>, notFoundCode: string): void {
  expect(lines[0]?.['instrument']).toMatchObject({
    instrumentKey: KEY, exchangeRawSymbol: 'BTC-PERPETUAL', instrumentType: 'INSTRUMENT_TYPE_PERPETUAL',
    tickSize: canonical(String(raw['tick_size'] as number)), contractSize: canonical(String(raw['contract_size'] as number)),
    minSize: canonical(String(raw['min_trade_amount'] as number)),
    // instrument_type "reversed": Deribit's order amount and contract_size are USD.
    amountUnit: raw['instrument_type'] === 'reversed' ? 'AMOUNT_UNIT_QUOTE' : 'not inverse',
    contractSizeUnit: 'AMOUNT_UNIT_QUOTE',
    dataTypes: expect.arrayContaining(['funding_rate']),
  });
  expect(Number(lines[0]?.['revision'])).toBeGreaterThan(0);
  expect(lines[1]).toEqual({ code: notFoundCode, details: expect.stringMatching(new RegExp(`instrument "${MISSING.replaceAll('/', '\\/')}" not found`)) });
}

describe('generated clients', () => {
  it('Python stubs (gen/python) look up an instrument and surface NOT_FOUND as grpc.RpcError', async () => {
    const { stdout } = await run(join(REPO_ROOT, '.venv/bin/python'), [join(REPO_ROOT, 'test/clients/python/lookup.py'), h.address, KEY, MISSING], {
      env: { ...process.env, PYTHONPATH: join(REPO_ROOT, 'gen/python') },
    });
    expectLookups(parseLines(stdout), 'NOT_FOUND');
  });

  it('Go stubs (gen/go) look up an instrument and surface NOT_FOUND as a status error', async () => {
    const { stdout } = await run('go', ['run', '.', h.address, KEY, MISSING], {
      cwd: join(REPO_ROOT, 'test/clients/go'),
      env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' },
    });
    expectLookups(parseLines(stdout), 'NotFound');
    // A backstop for the Go toolchain: a cold `go run` builds gRPC, about a minute idle (a few
    // on a loaded machine); from the build cache it takes seconds.
  }, 240_000);
});
