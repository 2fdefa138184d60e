import type { CliProcess } from '../support/demo-process.js';
import { FLIPPING, RecordedExchanges } from '../support/recordings.js';
import { launch, type Served } from '../support/service-harness.js';

/** The changing exchanges (flipped between their two real recordings) and dydx, which never changes. */
export const RECORDINGS = FLIPPING;
export const EXCHANGE_IDS = [...Object.keys(RECORDINGS), 'dydx'];

export interface SoakServerSettings {
  updateIntervalSeconds: number;
  historyBatches: number;
  progressIntervalSeconds: number;
}

export interface SoakServer {
  cli: CliProcess;
  address: string;
  served: Served;
  /** Remounts one changing exchange on its other recording. */
  flip(exchange: string): Promise<void>;
  readonly flips: number;
  close(): Promise<void>;
}

/** The built CLI's `serve` as a child process (the shared harness), fed by the replay exchange through real CCXT. */
export async function startSoakServer(settings: SoakServerSettings): Promise<SoakServer> {
  const recorded = await RecordedExchanges.start();
  const served = await launch({
    process: 'child', recorded, dataDir: true, exchanges: EXCHANGE_IDS,
    config: {
      live: { update_interval_seconds: settings.updateIntervalSeconds, max_concurrent_loads: 2 },
      watch: { history_batches: settings.historyBatches, progress_interval_seconds: settings.progressIntervalSeconds },
    },
  });
  return {
    cli: served.cli as CliProcess, address: served.address, served,
    flip: (exchange) => recorded.flip(exchange),
    get flips() { return recorded.flips; },
    close: async () => {
      await served.close();
      await recorded.close();
    },
  };
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
