import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { startCli, type CliProcess } from '../support/demo-process.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from '../support/fixtures.js';

/**
 * Two real recordings per changing exchange: remounting its replay prefix on the other one makes
 * the next refresh apply real changes (binanceusdm 2024-12 ↔ 2025-08: +176/−5/~95 one way, the
 * reverse the other, its 176 removals first held as suspect, > 20 %, then confirmed by the next
 * refresh; kraken 2025-06 ↔ 2025-09: 588 changes either way). dydx never changes.
 */
export const RECORDINGS: Record<string, readonly [string, string]> = {
  binanceusdm: [join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'), join(EXCHANGES_DIR, 'binanceusdm')],
  kraken: [join(EXCHANGES_DATED_DIR, 'kraken@2025-06-11'), join(EXCHANGES_DATED_DIR, 'kraken@2025-09-11')],
};
const STATIC = { dydx: join(EXCHANGES_DIR, 'dydx') };
export const EXCHANGE_IDS = [...Object.keys(RECORDINGS), ...Object.keys(STATIC)];

export interface SoakServerSettings {
  updateIntervalSeconds: number;
  historyBatches: number;
  progressIntervalSeconds: number;
}

export interface SoakServer {
  cli: CliProcess;
  address: string;
  replay: ReplayServer;
  /** Remounts one changing exchange on its other recording. */
  flip(exchange: string): Promise<void>;
  flips: number;
  close(): Promise<void>;
}

/** The built CLI's `serve` as a child process, fed by the replay exchange through real CCXT. */
export async function startSoakServer(settings: SoakServerSettings): Promise<SoakServer> {
  const dir = mkdtempSync(join(tmpdir(), 'soak-'));
  const current = new Map(Object.keys(RECORDINGS).map((id) => [id, 0]));
  const replay = await startReplayServer({ sets: { ...Object.fromEntries(Object.entries(RECORDINGS).map(([id, [first]]) => [id, first])), ...STATIC } });
  writeFileSync(join(dir, 'config.yaml'), JSON.stringify({
    live: {
      exchanges: Object.fromEntries(EXCHANGE_IDS.map((id) => [id, { ccxt: { proxyUrl: replay.proxyUrlFor(id) } }])),
      update_interval_seconds: settings.updateIntervalSeconds, jitter_ratio: 0, max_concurrent_loads: 2,
    },
    watch: { history_batches: settings.historyBatches, progress_interval_seconds: settings.progressIntervalSeconds },
    http: { listen: '127.0.0.1:0' }, logging: { level: 'info', format: 'json' }, data_dir: join(dir, 'data'),
  }));
  const cli = await startCli(['serve', '--config', join(dir, 'config.yaml'), '--listen', '127.0.0.1:0'], 60_000);
  const server: SoakServer = {
    cli, replay, address: `127.0.0.1:${cli.port}`, flips: 0,
    flip: async (exchange) => {
      const next = 1 - (current.get(exchange) ?? 0);
      current.set(exchange, next);
      await replay.mount(exchange, (RECORDINGS[exchange] as readonly string[])[next] as string);
      server.flips++;
    },
    close: async () => {
      await cli.stop();
      await replay.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Log lines of the child at level error or worse (pino: 50+). */
export function errorLogs(cli: CliProcess): string[] {
  return cli.logs.filter((line) => ((JSON.parse(line) as { level?: number }).level ?? 0) >= 50);
}

/** One unlabelled gauge or counter from the child's ops port (/metrics). */
export async function metric(cli: CliProcess, name: string): Promise<number | undefined> {
  if (cli.httpPort === undefined) return undefined;
  const text = await (await fetch(`http://127.0.0.1:${cli.httpPort}/metrics`)).text();
  const value = new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1];
  return value === undefined ? undefined : Number(value);
}
