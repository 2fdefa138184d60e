// The one harness every suite starts the service with: the replay exchange (recorded sets,
// flippable, faults through `replay`), a config written as a user writes it (YAML keys, with
// overrides), and the service either in this process (startService on the loaded config) or as
// the built CLI's `serve` in a child process; embedded state or Redis (`store: redis://…`).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { credentials, type ServiceError } from '@grpc/grpc-js';
import { pino, type Logger } from 'pino';
import {
  BatchGetInstrumentsRequest,
  ExchangeState,
  GetInstrumentRequest,
  InstrumentServiceClient,
  ListInstrumentsRequest,
  type BatchGetInstrumentsResponse,
  type DeepPartial,
  type GetInstrumentResponse,
  type GetStatusResponse,
  type ListInstrumentsResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ReplayServer } from '../../src/adapters/replay/index.js';
import { DEFAULT_CONFIG, type ExchangeConfig, type ServiceConfig } from '../../src/app/config.js';
import { loadConfig } from '../../src/app/config-load.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { startCli, type CliProcess } from './demo-process.js';
import { EXCHANGES_DIR } from './fixtures.js';
import { RecordedExchanges, recordingOf, type Recording } from './recordings.js';
import { notYet, PATIENCE_MS, waitFor } from './wait-for.js';

/** Defaults with both ports on 127.0.0.1:0, so tests never collide on a fixed port. */
export const TEST_CONFIG: ServiceConfig = {
  ...DEFAULT_CONFIG,
  listen: '127.0.0.1:0',
  http: { ...DEFAULT_CONFIG.http, listen: '127.0.0.1:0' },
};

/** The generated client's unary methods as promises, taking partial requests. */
export interface Rpc {
  getInstrument(req: DeepPartial<GetInstrumentRequest>): Promise<GetInstrumentResponse>;
  batchGetInstruments(req: DeepPartial<BatchGetInstrumentsRequest>): Promise<BatchGetInstrumentsResponse>;
  listInstruments(req: DeepPartial<ListInstrumentsRequest>): Promise<ListInstrumentsResponse>;
  getStatus(): Promise<GetStatusResponse>;
}

export function rpcOf(client: InstrumentServiceClient): Rpc {
  return {
    getInstrument: (req) => call((r, cb) => client.getInstrument(r, cb), GetInstrumentRequest.fromPartial(req)),
    batchGetInstruments: (req) => call((r, cb) => client.batchGetInstruments(r, cb), BatchGetInstrumentsRequest.fromPartial(req)),
    listInstruments: (req) => call((r, cb) => client.listInstruments(r, cb), ListInstrumentsRequest.fromPartial(req)),
    getStatus: () => call((r, cb) => client.getStatus(r, cb), {}),
  };
}

/** Calls a callback-style unary method of the generated client as a promise. */
export function call<Req, Res>(
  method: (req: Req, cb: (err: ServiceError | null, res: Res) => void) => unknown,
  request: Req,
): Promise<Res> {
  return new Promise((resolve, reject) => {
    method(request, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** A user's YAML config as an object (snake_case keys, as in instruments.yaml). */
export type UserConfig = Record<string, unknown>;

export interface LaunchSpec {
  /** The exchanges the service loads, each with what the replay serves it (default recordingOf(id)). */
  exchanges: readonly string[] | Readonly<Record<string, Recording>>;
  /** Settings over the harness's own (deep-merged): `live.update_interval_seconds`, `watch`, `store`, `redis`… */
  config?: UserConfig;
  /** 'in-process' (default): startService in this process; 'child': the built CLI's `serve`. */
  process?: 'in-process' | 'child';
  /** A replay to share with other services (replicas), instead of one of its own. */
  recorded?: RecordedExchanges;
  /** Serve the exchanges under `<prefix>-<id>`, so the replay's request log tells this service apart. */
  prefix?: string;
  /** A data dir (embedded state); default none (in memory). `true`: a fresh temporary one. */
  dataDir?: string | true;
  /** In-process only: ServiceConfig fields set after loading (TLS, auth, webhook, …). */
  service?: Partial<ServiceConfig>;
  /** In-process: startService's environment; child: added to the child's. */
  env?: NodeJS.ProcessEnv;
  /** Least severe level captured in `logs` (default info). */
  logLevel?: string;
  /** In-process only: log here instead of into `logs`. */
  logger?: Logger;
}

export interface Served {
  address: string;
  port: number;
  httpPort: number | undefined;
  client: InstrumentServiceClient;
  rpc: Rpc;
  recorded: RecordedExchanges;
  replay: ReplayServer;
  /** Every log line so far (pino JSON), in order. */
  logs: string[];
  /** In-process only. */
  service: RunningService | undefined;
  /** Child only. */
  cli: CliProcess | undefined;
  configFile: string;
  dataDir: string | undefined;
  /** Resolves with the first log entry (from `from`, a line index) that `match` accepts. */
  logEntry(match: (entry: LogEntry) => boolean, what: string, from?: number): Promise<LogEntry>;
  /**
   * Graceful stop (SIGTERM for a child: resolves with its exit code), then removes the harness's
   * files (config, and a `dataDir: true` data dir) and the replay when it is this service's own.
   */
  close(): Promise<number | null | undefined>;
  /** Child only: SIGKILL, no goodbye; files and replay stay (relaunch on the same data dir). */
  kill(): Promise<void>;
  /** The same config, data dir and replay, started again after kill(). */
  relaunch(): Promise<Served>;
}

export interface LogEntry {
  msg?: string;
  time: number;
  level: number;
  [field: string]: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const merge = (base: UserConfig, over: UserConfig): UserConfig => Object.fromEntries([...new Set([...Object.keys(base), ...Object.keys(over)])].map((k) => {
  const [b, o] = [base[k], over[k]];
  return [k, isObject(b) && isObject(o) ? merge(b, o) : o === undefined ? b : o];
}));

/** A pino logger whose JSON lines go into `lines`. */
function capturingLogger(lines: string[], level: string): Logger {
  let partial = '';
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      const parts = (partial + chunk.toString()).split('\n');
      partial = parts.pop() ?? '';
      lines.push(...parts.filter((l) => l !== ''));
      done();
    },
  });
  return pino({ level, base: { service: 'live-instruments' } }, sink);
}

/** Starts the service as `spec` says; see LaunchSpec. */
export async function launch(spec: LaunchSpec): Promise<Served> {
  const ownReplay = spec.recorded === undefined;
  const recorded = spec.recorded ?? await RecordedExchanges.start();
  const dir = mkdtempSync(join(tmpdir(), 'harness-'));
  const dataDir = spec.dataDir === true ? join(dir, 'data') : spec.dataDir;
  const recordings: Record<string, Recording> = Array.isArray(spec.exchanges)
    ? Object.fromEntries((spec.exchanges as readonly string[]).map((id) => [id, recordingOf(id)]))
    : { ...(spec.exchanges as Record<string, Recording>) };
  const exchanges: UserConfig = {};
  for (const [id, recording] of Object.entries(recordings)) {
    const prefix = spec.prefix === undefined ? id : `${spec.prefix}-${id}`;
    const proxyUrl = await recorded.serve(id, recording, prefix);
    // The recording's own CCXT options (okx's defaultUnderlying, …): what it was recorded with.
    exchanges[id] = { ccxt: { ...recorded.replay.ccxtOptionsFor(prefix), proxyUrl } };
  }
  const configFile = join(dir, 'config.yaml');
  // JSON is YAML: the file a user would write, read by the same loader in both modes.
  writeFileSync(configFile, JSON.stringify(merge({
    live: { exchanges, jitter_ratio: 0, retry_initial_seconds: 0.2, retry_max_seconds: 1 },
    server: { listen: '127.0.0.1:0' },
    http: { listen: '127.0.0.1:0' },
    logging: { level: spec.logLevel ?? 'info', format: 'json' },
    ...(dataDir === undefined ? {} : { data_dir: dataDir }),
  }, spec.config ?? {})));
  const layout = { recorded, ownReplay, dir, configFile, dataDir };
  try {
    return await start(spec, layout);
  } catch (error) {
    // A service that refused to start leaves nothing behind.
    await cleanUp(layout);
    throw error;
  }
}

async function cleanUp(layout: Layout): Promise<void> {
  if (layout.ownReplay) await layout.recorded.close();
  rmSync(layout.dir, { recursive: true, force: true });
}

interface Layout {
  recorded: RecordedExchanges;
  ownReplay: boolean;
  dir: string;
  configFile: string;
  dataDir: string | undefined;
}

async function start(spec: LaunchSpec, layout: Layout): Promise<Served> {
  let logs: string[] = [];
  let service: RunningService | undefined;
  let cli: CliProcess | undefined;
  if (spec.process === 'child') {
    cli = await startCli(['serve', '--config', layout.configFile], PATIENCE_MS, spec.env ?? {});
    logs = cli.logs;
  } else {
    const config = { ...loadConfig({ file: layout.configFile }), ...spec.service };
    service = await startService(config, spec.logger ?? capturingLogger(logs, spec.logLevel ?? 'info'), spec.env ?? process.env);
  }
  const port = service?.port ?? (cli as CliProcess).port;
  const address = `127.0.0.1:${port}`;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  let closed = false;
  const served: Served = {
    address, port, httpPort: service?.httpPort ?? cli?.httpPort, client, rpc: rpcOf(client),
    recorded: layout.recorded, replay: layout.recorded.replay, logs, service, cli,
    configFile: layout.configFile, dataDir: layout.dataDir,
    logEntry: (match, what, from = 0) => waitFor(() => {
      for (let i = from; i < logs.length; i++) {
        const entry = JSON.parse(logs[i] as string) as LogEntry;
        if (match(entry)) return entry;
      }
      return notYet(logs.at(-1));
    }, what),
    close: async () => {
      if (closed) return undefined;
      closed = true;
      client.close();
      // In-process: the grace a test gives in-flight calls when it is done (input, not a bound).
      if (service !== undefined) await service.stop(1000);
      const code = cli === undefined ? undefined : await cli.stop();
      await cleanUp(layout);
      return code;
    },
    kill: async () => {
      if (cli === undefined) throw new Error('kill() is for a child-process service');
      closed = true;
      client.close();
      const exited = new Promise((resolve) => cli?.child.once('exit', resolve));
      if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
      else return;
      await exited;
    },
    relaunch: () => start(spec, layout),
  };
  return served;
}

/** Waits until every listed exchange has loaded (or, for `failing`, has failed at least once). */
export function waitForExchanges(h: { rpc: Rpc }, loaded: string[], failing: string[] = [], timeoutMs = PATIENCE_MS): Promise<GetStatusResponse> {
  return waitFor(async () => {
    const status = await h.rpc.getStatus();
    const by = new Map(status.exchanges.map((e) => [e.ccxtExchange, e]));
    const ready = loaded.every((id) => by.get(id)?.state === ExchangeState.EXCHANGE_STATE_READY) &&
      failing.every((id) => (by.get(id)?.consecutiveFailures ?? 0) > 0);
    return ready ? status : notYet(status.exchanges.map((e) => ({ exchange: e.ccxtExchange, state: ExchangeState[e.state], lastError: e.lastError })));
  }, `exchanges ${loaded.join(', ')} loaded${failing.length > 0 ? ` and ${failing.join(', ')} failing` : ''}`, { timeoutMs });
}

export interface Harness {
  client: InstrumentServiceClient;
  rpc: Rpc;
  address: string;
  replay: ReplayServer;
  service: RunningService;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The environment startService reads (INSTRUMENTS_AUTH_TOKENS, ...); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The in-process service over every undated recording (the replay's global URL map, so any
 * recorded exchange is reachable by its real URLs): `exchanges` maps CCXT ids to settings;
 * `ccxt: 'fixture'` takes the recording's options. ServiceConfig `overrides` apply last.
 * `client` is plaintext: with `tls` or `auth` overrides, make a client of your own.
 */
export async function startHarness(
  exchanges: Record<string, Partial<ExchangeConfig> | 'fixture'>,
  overrides: Partial<ServiceConfig> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const recorded = await RecordedExchanges.start({ root: EXCHANGES_DIR });
  const served = await launch({
    exchanges: [],
    recorded,
    logLevel: 'silent',
    ...(options.env === undefined ? {} : { env: options.env }),
    service: {
      proxyUrl: recorded.replay.url,
      exchanges: Object.fromEntries(Object.entries(exchanges).map(([id, s]) => [
        id,
        s === 'fixture' ? { ccxt: recorded.replay.ccxtOptionsFor(id), sandbox: false } : { ccxt: s.ccxt ?? {}, sandbox: s.sandbox ?? false },
      ])),
      ...overrides,
    },
  });
  return {
    client: served.client, rpc: served.rpc, address: served.address, replay: served.replay, service: served.service as RunningService,
    close: async () => {
      await served.close();
      await recorded.close();
    },
  };
}
