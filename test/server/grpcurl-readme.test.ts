import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRawJson } from '../support/fixtures.js';
import { canonical } from '../support/exact-decimal.js';
import { REPO_ROOT, startCli, type CliProcess } from '../support/demo-process.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

const run = promisify(execFile);
const GRPCURL = `${REPO_ROOT}.tools/bin/grpcurl`;

// The README's grpcurl block, run verbatim against `instruments demo` (what `npm run demo` runs).
const readme = readFileSync(`${REPO_ROOT}README.md`, 'utf8');
const block = /<!-- grpcurl-examples:start -->([\s\S]*?)<!-- grpcurl-examples:end -->/.exec(readme)?.[1] ?? '';
const examples = block.split('\n').filter((line) => line.startsWith('grpcurl '));

/** grpcurl's exit status for a call that ended with a status: 64 + the gRPC code (DEADLINE_EXCEEDED = 4). */
const EXIT_DEADLINE_EXCEEDED = 68;

let demo: CliProcess;
let address: string;

interface Run { code: number; stdout: string; stderr: string }

/** Runs a README line with the demo's address; a non-zero exit is returned, not thrown. */
async function runLine(commandLine: string): Promise<Run> {
  const line = commandLine.replace(/^grpcurl /, `'${GRPCURL}' `).replaceAll('localhost:50051', address);
  try {
    // The timeout only keeps a broken example (a watch without -max-time) from hanging the suite.
    const { stdout, stderr } = await run('bash', ['-c', line], { maxBuffer: 16 * 1024 * 1024, timeout: PATIENCE_MS });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const failed = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

async function grpcurl(commandLine: string): Promise<string> {
  const out = await runLine(commandLine);
  if (out.code !== 0) throw Object.assign(new Error(`exit ${out.code}: ${out.stderr}`), out);
  return out.stdout;
}

/** grpcurl prints one pretty JSON object per message; each starts with "{" at the line start. */
const messagesOf = (stdout: string): Array<Record<string, unknown>> =>
  stdout.trim() === '' ? [] : stdout.trim().split(/\n(?=\{)/).map((m) => JSON.parse(m) as Record<string, unknown>);

/** What a README line calls: `list`, `describe <symbol>` or the full method name; and its -d body. */
function parse(line: string): { target: string; request: Record<string, unknown> } {
  const words = line.trim().split(/\s+/);
  const body = /-d '([^']*)'/.exec(line)?.[1];
  const target = words.includes('list') ? 'list' : words.includes('describe') ? `describe ${words.at(-1) ?? ''}` : words.at(-1) ?? '';
  return { target, request: body === undefined ? {} : (JSON.parse(body) as Record<string, unknown>) };
}

beforeAll(async () => {
  if (!existsSync(GRPCURL)) throw new Error(`${GRPCURL} is missing: run "node scripts/ensure-tools.mjs" (npm test does)`);
  demo = await startCli(['demo', '--listen', '127.0.0.1:0']);
  address = `127.0.0.1:${demo.port}`;
  // Serving starts before the exchanges have loaded; wait until GetStatus says all are ready.
  await waitFor(async () => {
    const status = JSON.parse(await grpcurl('grpcurl -plaintext localhost:50051 instruments.v1.InstrumentService/GetStatus')) as { exchanges: Array<{ ccxtExchange: string; state: string }> };
    const ready = status.exchanges.length === 7 && status.exchanges.every((e) => e.state === 'EXCHANGE_STATE_READY');
    return ready || notYet(status.exchanges.map((e) => `${e.ccxtExchange} ${e.state}`));
  }, 'the demo\'s 7 exchanges to be ready');
});

afterAll(async () => {
  // Graceful shutdown on SIGTERM exits 0.
  expect(await demo.stop()).toBe(0);
});

// ---------------------------------------------------------------------------------------------
// What each example's output must show, by what it calls. An example with no check here fails.

interface Definition { instrumentKey: string; venue?: string; instrumentType?: string; baseAsset?: string; ccxtExchange?: string; ccxtSymbol?: string; exchangeRawSymbol?: string; tardisExchange?: string; tardisSymbol?: string }
interface Filter { venues?: string[]; instrumentTypes?: string[]; baseAssets?: string[]; ccxtExchanges?: string[]; instrumentKeys?: string[] }

/** Each filter field the example sets holds for every instrument (the fields the README uses). */
function expectMatches(instruments: Definition[], filter: Filter): void {
  const fields: Array<[string[] | undefined, (d: Definition) => string | undefined]> = [
    [filter.venues, (d) => d.venue], [filter.instrumentTypes, (d) => d.instrumentType], [filter.baseAssets, (d) => d.baseAsset],
    [filter.ccxtExchanges, (d) => d.ccxtExchange], [filter.instrumentKeys, (d) => d.instrumentKey],
  ];
  for (const d of instruments) for (const [values, get] of fields) if (values !== undefined) expect(values, d.instrumentKey).toContain(get(d));
}

const keysOf = (instruments: Definition[] | undefined): string[] => (instruments ?? []).map((d) => d.instrumentKey);

type Check = (request: Record<string, unknown>, out: Run) => Promise<void> | void;
const SERVICE = 'instruments.v1.InstrumentService';
const ok = (out: Run): Record<string, unknown> => {
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout) as Record<string, unknown>;
};

const CHECKS: Record<string, Check> = {
  list: (_req, out) => expect(out.stdout.trim().split('\n')).toEqual(expect.arrayContaining([SERVICE, 'grpc.health.v1.Health'])),
  [`describe ${SERVICE}`]: (_req, out) => expect(out.stdout).toMatch(/rpc WatchChanges \( \.instruments\.v1\.WatchChangesRequest \) returns \( stream /),
  'describe instruments.v1.InstrumentDefinition': (_req, out) => expect(out.stdout).toMatch(/string tick_size = 18;/),
  'grpc.health.v1.Health/Check': (_req, out) => expect(ok(out)).toEqual({ status: 'SERVING' }),
  [`${SERVICE}/GetInstrument`]: (req, out) => {
    const res = ok(out) as { instrument: Definition; revision: string };
    const { ccxt, raw, tardis } = req as { ccxt?: Definition; raw?: Definition; tardis?: Definition };
    // The definition answers the lookup it was asked by, whichever of the four it was.
    const asked = req['instrumentKey'] !== undefined ? { instrumentKey: req['instrumentKey'] }
      : ccxt ?? (raw !== undefined ? { venue: raw.venue, exchangeRawSymbol: raw.exchangeRawSymbol } : tardis);
    expect(asked, 'a lookup the check knows').toBeDefined();
    expect(res.instrument).toMatchObject(asked ?? {});
    expect(Number(res.revision)).toBeGreaterThan(0);
  },
  [`${SERVICE}/BatchGetInstruments`]: (req, out) => {
    const res = ok(out) as { instruments?: Definition[]; notFoundKeys?: string[] };
    const asked = req['instrumentKeys'] as string[];
    const found = keysOf(res.instruments);
    const missing = res.notFoundKeys ?? [];
    // Found and missing split the request, each in request order; the example shows both.
    expect(found).toEqual(asked.filter((k) => !missing.includes(k)));
    expect(missing).toEqual(asked.filter((k) => !found.includes(k)));
    expect([found.length > 0, missing.length > 0]).toEqual([true, true]);
  },
  [`${SERVICE}/ListInstruments`]: async (req, out) => {
    const res = ok(out) as { instruments?: Definition[]; nextPageToken?: string };
    const keys = keysOf(res.instruments);
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.length).toBeLessThanOrEqual(req['pageSize'] as number);
    expect(keys).toEqual([...keys].sort());
    expectMatches(res.instruments ?? [], req['filter'] as Filter);
    if (req['pageToken'] === undefined) return;
    // A next page: the token is the previous page's, and the two pages are the whole list.
    const firstRequest = Object.fromEntries(Object.entries(req).filter(([name]) => name !== 'pageToken'));
    const first = ok(await runLine(`grpcurl -plaintext -d '${JSON.stringify(firstRequest)}' localhost:50051 ${SERVICE}/ListInstruments`)) as typeof res;
    expect(first.nextPageToken).toBe(req['pageToken']);
    const everything = ok(await runLine(`grpcurl -plaintext -d '${JSON.stringify({ ...firstRequest, pageSize: 1000 })}' localhost:50051 ${SERVICE}/ListInstruments`)) as typeof res;
    expect(res.nextPageToken ?? '').toBe('');
    expect([...keysOf(first.instruments), ...keys]).toEqual(keysOf(everything.instruments));
  },
  [`${SERVICE}/WatchChanges`]: (req, out) => {
    // A watch never ends: -max-time ends grpcurl with DeadlineExceeded after it printed the start.
    expect([out.code, out.stderr]).toEqual([EXIT_DEADLINE_EXCEEDED, expect.stringMatching(/Code: DeadlineExceeded/)]);
    const messages = messagesOf(out.stdout) as Array<{ revision: string; snapshot?: { instruments: Definition[] }; snapshotEnd?: object; progress?: object }>;
    const revision = Number(messages[0]?.revision);
    expect(revision).toBeGreaterThan(0);
    if (req['sendInitialSnapshot'] !== true) {
      expect(messages[0]?.progress).toEqual({});
      return;
    }
    const end = messages.findIndex((m) => m.snapshotEnd !== undefined);
    expect(end).toBeGreaterThan(0);
    const pages = messages.slice(0, end);
    expect(pages.every((m) => m.snapshot !== undefined && Number(m.revision) === revision)).toBe(true);
    const snapshot = pages.flatMap((m) => m.snapshot?.instruments ?? []);
    expect(snapshot.length).toBeGreaterThan(0);
    expectMatches(snapshot, req['filter'] as Filter);
  },
  [`${SERVICE}/GetStatus`]: (_req, out) => {
    const res = ok(out) as { exchanges: Array<{ state: string; instrumentCount?: number }>; revision: string };
    expect(res.exchanges).toHaveLength(7);
    expect(res.exchanges.every((e) => e.state === 'EXCHANGE_STATE_READY' && (e.instrumentCount ?? 0) > 0)).toBe(true);
    expect(Number(res.revision)).toBeGreaterThan(0);
  },
};

describe('README grpcurl examples against the offline demo', () => {
  it('has an example for every RPC the server describes, every GetInstrument lookup, reflection and health', async () => {
    const used = examples.map(parse);
    const targets = new Set(used.map((e) => e.target));
    expect(targets).toContain('list');
    expect([...targets].some((t) => t.startsWith('describe '))).toBe(true);
    expect(targets).toContain('grpc.health.v1.Health/Check');
    const described = await grpcurl(`grpcurl -plaintext localhost:50051 describe ${SERVICE}`);
    const methods = [...described.matchAll(/^\s*rpc (\w+) /gm)].map((m) => `${SERVICE}/${m[1] ?? ''}`);
    expect(methods).toHaveLength(5);
    expect(methods.filter((m) => !targets.has(m)), 'RPCs without an example').toEqual([]);
    // The lookup oneof, from reflection: snake_case field names → the JSON names the examples use.
    const request = await grpcurl('grpcurl -plaintext localhost:50051 describe instruments.v1.GetInstrumentRequest');
    const oneof = /oneof lookup \{([\s\S]*?)\n {2}\}/.exec(request)?.[1] ?? '';
    const lookups = [...oneof.matchAll(/^\s*[\w.]+ (\w+) = \d+;/gm)].map((m) => (m[1] ?? '').replace(/_(\w)/g, (_s, c: string) => c.toUpperCase()));
    expect(lookups).toEqual(['instrumentKey', 'ccxt', 'raw', 'tardis']);
    const shown = used.filter((e) => e.target === `${SERVICE}/GetInstrument`).flatMap((e) => Object.keys(e.request));
    expect(lookups.filter((l) => !shown.includes(l)), 'lookups without an example').toEqual([]);
  });

  it.each(examples)('%s', async (example) => {
    const { target, request } = parse(example);
    const check = CHECKS[target];
    expect(check, `no output check for ${target}: add one to CHECKS`).toBeDefined();
    await check?.(request, await runLine(example));
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
      amountUnit: 'AMOUNT_UNIT_BASE', // api/v3 order quantity is in baseAsset
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
      // Deribit's order amount for options is the base coin (kind "option"), so is contract_size.
      amountUnit: raw['kind'] === 'option' ? 'AMOUNT_UNIT_BASE' : 'unexpected kind', contractSizeUnit: 'AMOUNT_UNIT_BASE',
    });
  });

  it('errors reach grpcurl as statuses with their message', async () => {
    const failed = await runLine(`grpcurl -plaintext -d '{"instrumentKey": "BINANCE-SPOT:SPOT:BTCUSDT"}' localhost:50051 instruments.v1.InstrumentService/GetInstrument`);
    // 64 + NOT_FOUND (5)
    expect(failed.code).toBe(69);
    expect(failed.stderr).toMatch(/Code: NotFound\s+Message: instrument "BINANCE-SPOT:SPOT:BTCUSDT" not found; close matches: BINANCE-SPOT:SPOT:BTC\/USDT/);
  });
});
