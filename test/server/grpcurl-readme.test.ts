import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRawJson } from '../support/fixtures.js';
import { canonical } from '../support/exact-decimal.js';
import { REPO_ROOT, startCli, type CliProcess } from '../support/demo-process.js';

const run = promisify(execFile);
const GRPCURL = `${REPO_ROOT}.tools/bin/grpcurl`;

// The README's grpcurl block, run verbatim against `instruments demo` (what `npm run demo` runs).
const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
const block = /<!-- grpcurl-examples:start -->([\s\S]*?)<!-- grpcurl-examples:end -->/.exec(readme)?.[1] ?? '';
const examples = block.split('\n').filter((line) => line.startsWith('grpcurl '));

let demo: CliProcess;
let address: string;

async function grpcurl(commandLine: string): Promise<string> {
  const line = commandLine.replace(/^grpcurl /, `'${GRPCURL}' `).replaceAll('localhost:50051', address);
  const { stdout } = await run('bash', ['-c', line], { maxBuffer: 16 * 1024 * 1024 });
  return stdout;
}

beforeAll(async () => {
  if (!existsSync(GRPCURL)) throw new Error(`${GRPCURL} is missing: run "node scripts/ensure-tools.mjs" (npm test does)`);
  demo = await startCli(['demo', '--listen', '127.0.0.1:0']);
  address = `127.0.0.1:${demo.port}`;
  // Serving starts before the exchanges have loaded; wait until GetStatus says all are ready.
  for (const deadline = Date.now() + 60_000; ;) {
    const status = JSON.parse(await grpcurl('grpcurl -plaintext localhost:50051 instruments.v1.InstrumentService/GetStatus')) as { exchanges: Array<{ state: string }> };
    if (status.exchanges.length === 7 && status.exchanges.every((e) => e.state === 'EXCHANGE_STATE_READY')) break;
    if (Date.now() > deadline) throw new Error(`demo exchanges not ready: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
});

afterAll(async () => {
  // Graceful shutdown on SIGTERM exits 0.
  expect(await demo.stop()).toBe(0);
});

describe('README grpcurl examples against the offline demo', () => {
  it('has examples for every unary RPC, reflection and health', () => {
    for (const needle of ['list', 'describe', 'Health/Check', 'GetInstrument', 'BatchGetInstruments', 'ListInstruments', 'GetStatus']) {
      expect(examples.some((e) => e.includes(needle)), needle).toBe(true);
    }
  });

  it.each(examples)('%s', async (example) => {
    const out = await grpcurl(example);
    expect(out.length).toBeGreaterThan(0);
  });

  it('list and describe work through reflection alone', async () => {
    const services = (await grpcurl('grpcurl -plaintext localhost:50051 list')).split('\n');
    expect(services).toEqual(expect.arrayContaining(['instruments.v1.InstrumentService', 'grpc.health.v1.Health']));
    const described = await grpcurl('grpcurl -plaintext localhost:50051 describe instruments.v1.InstrumentService');
    expect(described).toMatch(/rpc GetInstrument \( \.instruments\.v1\.GetInstrumentRequest \) returns \( \.instruments\.v1\.GetInstrumentResponse \)/);
    expect(described).toMatch(/rpc WatchChanges \( \.instruments\.v1\.WatchChangesRequest \) returns \( stream \.instruments\.v1\.WatchChangesResponse \)/);
    const message = await grpcurl('grpcurl -plaintext localhost:50051 describe instruments.v1.InstrumentDefinition');
    expect(message).toMatch(/string tick_size = 18;/);
  });

  it('health says SERVING', async () => {
    expect(JSON.parse(await grpcurl(`grpcurl -plaintext -d '{"service": ""}' localhost:50051 grpc.health.v1.Health/Check`))).toEqual({ status: 'SERVING' });
  });

  it('GetInstrument for a Binance spot pair matches the raw exchangeInfo', async () => {
    const raw = readRawJson<{ symbols: Array<{ symbol: string; filters: Array<Record<string, string>> }> }>('exchanges/binance/api_v3_exchangeInfo.json')
      .symbols.find((s) => s.symbol === 'BTCUSDT');
    const price = raw?.filters.find((f) => f['filterType'] === 'PRICE_FILTER');
    const lot = raw?.filters.find((f) => f['filterType'] === 'LOT_SIZE');
    const out = JSON.parse(await grpcurl(`grpcurl -plaintext -d '{"instrumentKey": "BINANCE-SPOT:SPOT:BTC/USDT"}' localhost:50051 instruments.v1.InstrumentService/GetInstrument`));
    expect(out.instrument).toMatchObject({
      instrumentKey: 'BINANCE-SPOT:SPOT:BTC/USDT', exchangeRawSymbol: 'BTCUSDT', instrumentType: 'INSTRUMENT_TYPE_SPOT',
      tickSize: canonical(String(price?.['tickSize'] ?? '')), lotSize: canonical(String(lot?.['stepSize'] ?? '')),
      minSize: canonical(String(lot?.['minQty'] ?? '')), maxSize: canonical(String(lot?.['maxQty'] ?? '')),
    });
  });

  it('GetInstrument for a Deribit option matches the raw get_instruments', async () => {
    const raw = readRawJson<{ result: Array<Record<string, unknown>> }>('exchanges/deribit/get_instruments.json')
      .result.find((i) => i['instrument_name'] === 'BTC-26DEC25-100000-C') as Record<string, number | string>;
    const out = JSON.parse(await grpcurl(`grpcurl -plaintext -d '{"instrumentKey": "DERIBIT:OPTION:BTC/USD:BTC-251226-100000-C"}' localhost:50051 instruments.v1.InstrumentService/GetInstrument`));
    expect(out.instrument).toMatchObject({
      exchangeRawSymbol: 'BTC-26DEC25-100000-C', instrumentType: 'INSTRUMENT_TYPE_OPTION', optionType: 'OPTION_TYPE_CALL',
      strike: canonical(String(raw['strike'] as number)), tickSize: canonical(String(raw['tick_size'] as number)),
      expiry: new Date(raw['expiration_timestamp'] as number).toISOString().replace('.000Z', 'Z'),
      contractSize: canonical(String(raw['contract_size'] as number)), minSize: canonical(String(raw['min_trade_amount'] as number)),
    });
  });

  it('errors reach grpcurl as statuses with their message', async () => {
    const failed = await grpcurl(`grpcurl -plaintext -d '{"instrumentKey": "BINANCE-SPOT:SPOT:BTCUSDT"}' localhost:50051 instruments.v1.InstrumentService/GetInstrument`)
      .then(() => undefined, (e: { stderr: string }) => e.stderr);
    expect(failed).toMatch(/Code: NotFound\s+Message: instrument "BINANCE-SPOT:SPOT:BTCUSDT" not found; close matches: BINANCE-SPOT:SPOT:BTC\/USDT/);
  });
});
