// The server under fuzz: the built CLI's `serve` as a child process (a crash is the child
// exiting), on three recorded exchanges through the replay exchange, with its metrics readable.
import { SourceView, type InstrumentServiceClient, type ListInstrumentsRequest } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { CliProcess } from '../support/demo-process.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Rpc } from '../support/service-harness.js';
import { waitFor } from '../support/wait-for.js';
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
  const recorded = await RecordedExchanges.start();
  // Only the measurement is added to the server: a full GC on SIGUSR2 (gc-on-signal.mjs).
  const preload = new URL('gc-on-signal.mjs', import.meta.url).href;
  const nodeOptions = `${process.env.NODE_OPTIONS ?? ''} --expose-gc --import ${preload}`.trim();
  const served = await launch({
    process: 'child', recorded, dataDir: true, exchanges: FUZZ_EXCHANGES, env: { NODE_OPTIONS: nodeOptions },
    config: {
      // No refresh during the run: the store, and so every known-good answer, stays as loaded.
      live: { update_interval_seconds: 3600 },
      // Frequent progress messages: watches have something to be cancelled in the middle of.
      watch: { progress_interval_seconds: 0.1 },
    },
  });
  const cli = served.cli as CliProcess;
  let exited: { code: number | null; signal: string | null } | undefined;
  cli.child.once('exit', (code, signal) => { exited = { code, signal }; });
  const { address, client } = served;
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
    await waitFor(() => collections() > before, 'the server to report a garbage collection (SIGUSR2)');
  };
  return {
    cli, address, client, rpc: served.rpc, exit: () => exited, metrics, collectGarbage,
    close: async () => {
      if (exited === undefined) await served.close();
      else client.close();
      await recorded.close();
    },
  };
}

export async function waitForLoads(rpc: Rpc): Promise<void> {
  await waitForExchanges({ rpc }, FUZZ_EXCHANGES);
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
