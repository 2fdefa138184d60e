// The server under fuzz: the built CLI's `serve` as a child process (a crash is the child
// exiting), on three recorded exchanges through the replay exchange, with its metrics readable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials } from '@grpc/grpc-js';
import { ExchangeState, InstrumentServiceClient, SourceView, type ListInstrumentsRequest } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { startCli, type CliProcess } from '../support/demo-process.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { rpcOf, type Rpc } from '../support/service-harness.js';
import type { FuzzContext } from './fuzz-case.js';

export const FUZZ_EXCHANGES = ['binanceusdm', 'dydx', 'deribit'];

export interface FuzzServer {
  cli: CliProcess;
  address: string;
  client: InstrumentServiceClient;
  rpc: Rpc;
  /** Set once the child has exited: it never should while the test runs. */
  exit(): { code: number | null; signal: string | null } | undefined;
  /** One sample of the Prometheus exposition: metric line → value. */
  metrics(): Promise<Map<string, number>>;
  /** A full garbage collection in the server (gc-on-signal.mjs), done when this resolves. */
  collectGarbage(): Promise<void>;
  close(): Promise<void>;
}

export async function startFuzzServer(): Promise<FuzzServer> {
  const replay: ReplayServer = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  const dir = mkdtempSync(join(tmpdir(), 'rpc-fuzz-'));
  const exchanges = Object.fromEntries(FUZZ_EXCHANGES.map((id) => [id, { ccxt: { ...replay.ccxtOptionsFor(id), proxyUrl: replay.proxyUrlFor(id) } }]));
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({
    // No refresh during the run: the store, and so every known-good answer, stays as loaded.
    live: { exchanges, update_interval_seconds: 3600, jitter_ratio: 0 },
    server: { listen: '127.0.0.1:0' },
    http: { listen: '127.0.0.1:0' },
    // Frequent progress messages: watches have something to be cancelled in the middle of.
    watch: { progress_interval_seconds: 0.1 },
    logging: { level: 'info', format: 'json' },
    data_dir: join(dir, 'data'),
  }));
  // Only the measurement is added to the server: a full GC on SIGUSR2 (gc-on-signal.mjs).
  const preload = new URL('gc-on-signal.mjs', import.meta.url).href;
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import ${preload}`.trim();
  const cli = await startCli(['serve', '--config', join(dir, 'config.yaml')], 60_000, { NODE_OPTIONS: nodeOptions });
  let exited: { code: number | null; signal: string | null } | undefined;
  cli.child.once('exit', (code, signal) => { exited = { code, signal }; });
  const address = `127.0.0.1:${cli.port}`;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  const metrics = async (): Promise<Map<string, number>> => {
    const text = await (await fetch(`http://127.0.0.1:${cli.httpPort}/metrics`)).text();
    const values = new Map<string, number>();
    for (const line of text.split('\n')) {
      const m = /^(\S+) (\S+)$/.exec(line);
      if (m !== null) values.set(m[1] as string, Number(m[2]));
    }
    return values;
  };
  const collections = (): number => cli.logs.filter((l) => l.includes('"msg":"fuzz gc"')).length;
  const collectGarbage = async (): Promise<void> => {
    const before = collections();
    cli.child.kill('SIGUSR2');
    const until = Date.now() + 10_000;
    while (collections() === before) {
      if (Date.now() > until) throw new Error('the server did not report a garbage collection within 10 s');
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    cli, address, client, rpc: rpcOf(client), exit: () => exited, metrics, collectGarbage,
    close: async () => {
      client.close();
      if (exited === undefined) await cli.stop();
      await replay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function waitForLoads(rpc: Rpc, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await rpc.getStatus();
    if (s.exchanges.length === FUZZ_EXCHANGES.length && s.exchanges.every((e) => e.state === ExchangeState.EXCHANGE_STATE_READY)) return;
    if (Date.now() > deadline) throw new Error(`exchanges not loaded: ${JSON.stringify(s.exchanges.map((e) => [e.ccxtExchange, e.state, e.lastError]))}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Real keys, symbols and page tokens for the families to start from. */
export async function readContext(rpc: Rpc): Promise<FuzzContext> {
  const first = await rpc.listInstruments({ pageSize: 1000 });
  const all = [...first.instruments];
  for (let token = first.nextPageToken; token !== '';) {
    const page = await rpc.listInstruments({ pageSize: 1000, pageToken: token });
    all.push(...page.instruments);
    token = page.nextPageToken;
  }
  // About a hundred instruments spread over every venue.
  const sample = all.filter((_, i) => i % Math.max(1, Math.floor(all.length / 100)) === 0);
  const venues = [...new Set(all.map((d) => d.venue))].sort();
  const requests: ListInstrumentsRequest[] = [
    { pageSize: 5, pageToken: '', view: SourceView.SOURCE_VIEW_UNSPECIFIED, filter: undefined },
    { pageSize: 7, pageToken: '', view: SourceView.SOURCE_VIEW_LIVE, filter: undefined },
    { pageSize: 3, pageToken: '', view: SourceView.SOURCE_VIEW_UNSPECIFIED, filter: { venues: [venues[0] as string], ccxtExchanges: [], instrumentTypes: [], baseAssets: [], quoteAssets: [], settleAssets: [], instrumentKeys: [] } },
  ];
  const tokens: FuzzContext['tokens'] = [];
  for (const request of requests) {
    const page = await rpc.listInstruments(request);
    if (page.nextPageToken === '') throw new Error(`no second page for ${JSON.stringify(request)}`);
    tokens.push({ token: page.nextPageToken, request });
  }
  return {
    keys: sample.map((d) => d.instrumentKey),
    ccxtPairs: sample.map((d) => [d.ccxtExchange, d.ccxtSymbol]),
    rawPairs: sample.map((d) => [d.venue, d.exchangeRawSymbol]),
    venues,
    exchanges: FUZZ_EXCHANGES,
    revision: first.revision,
    tokens,
  };
}
