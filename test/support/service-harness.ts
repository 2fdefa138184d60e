import { credentials, type ServiceError } from '@grpc/grpc-js';
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
import { createLogger } from '../../src/adapters/logger.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { DEFAULT_CONFIG, type ExchangeConfig, type ServiceConfig } from '../../src/app/config.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { EXCHANGES_DIR } from './fixtures.js';


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

export interface Harness {
  client: InstrumentServiceClient;
  rpc: Rpc;
  address: string;
  replay: ReplayServer;
  service: RunningService;
  close(): Promise<void>;
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

export interface HarnessOptions {
  /** The environment startService reads (INSTRUMENTS_AUTH_TOKENS, ...); default process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * The real service (store, runners, gRPC server on 127.0.0.1:0) fed by the replay exchange through
 * real CCXT. `exchanges` maps CCXT ids to settings; `ccxt: 'fixture'` takes the recording's options.
 * `client` is plaintext: with `tls` or `auth` overrides, make a client of your own.
 */
export async function startHarness(
  exchanges: Record<string, Partial<ExchangeConfig> | 'fixture'>,
  overrides: Partial<ServiceConfig> = {},
  options: HarnessOptions = {},
): Promise<Harness> {
  const replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  const config = {
    ...TEST_CONFIG,
    proxyUrl: replay.url,
    refresh: { ...DEFAULT_CONFIG.refresh, retryInitialSeconds: 0.2, retryMaxSeconds: 1 },
    exchanges: Object.fromEntries(Object.entries(exchanges).map(([id, s]) => [
      id,
      s === 'fixture' ? { ccxt: replay.ccxtOptionsFor(id), sandbox: false } : { ccxt: s.ccxt ?? {}, sandbox: s.sandbox ?? false },
    ])),
    ...overrides,
  };
  const service = await startService(config, createLogger('silent'), options.env);
  const address = `127.0.0.1:${service.port}`;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  return {
    client, rpc: rpcOf(client), address, replay, service,
    close: async () => {
      client.close();
      await service.stop(1000);
      await replay.close();
    },
  };
}

/** Waits until every listed exchange has loaded (or, for `failing`, has failed at least once). */
export async function waitForExchanges(h: Harness, loaded: string[], failing: string[] = [], timeoutMs = 30_000): Promise<GetStatusResponse> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await h.rpc.getStatus();
    const by = new Map(status.exchanges.map((e) => [e.ccxtExchange, e]));
    const ready = loaded.every((id) => by.get(id)?.state === ExchangeState.EXCHANGE_STATE_READY) &&
      failing.every((id) => (by.get(id)?.consecutiveFailures ?? 0) > 0);
    if (ready) return status;
    if (Date.now() > deadline) throw new Error(`exchanges not ready: ${JSON.stringify(status.exchanges)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
