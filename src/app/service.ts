import type { Logger } from 'pino';
import { createExchange } from '../adapters/ccxt/create-exchange.js';
import type { KnownSources } from '../domain/instrument-filter.js';
import { venuesOfExchange } from '../domain/venues.js';
import type { ExchangeStatusSource } from '../rpc/rpc-context.js';
import { startGrpcServer } from '../server/grpc-server.js';
import { InstrumentStore } from '../store/instrument-store.js';
import type { ServiceConfig } from './config.js';
import { ExchangeRunner } from './exchange-runner.js';

export interface RunningService {
  port: number;
  store: InstrumentStore;
  stop(graceMs?: number): Promise<void>;
}

// Wiring: one store, one runner per configured exchange, one gRPC server reading both.
export async function startService(config: ServiceConfig, log: Logger): Promise<RunningService> {
  const store = new InstrumentStore();
  const runners = Object.entries(config.exchanges).map(([id, settings]) => new ExchangeRunner(
    createExchange(id, { ccxt: settings.ccxt, sandbox: settings.sandbox, ...(config.proxyUrl ? { proxyUrl: config.proxyUrl } : {}) }),
    store,
    {
      refreshIntervalMs: config.refresh.intervalSeconds * 1000,
      retry: { initialMs: config.refresh.retryInitialSeconds * 1000, maxMs: config.refresh.retryMaxSeconds * 1000 },
    },
    log,
  ));
  const known: KnownSources = {
    venues: new Set(runners.flatMap((r) => venuesOfExchange(r.id))),
    ccxtExchanges: new Set(runners.map((r) => r.id)),
  };
  const exchanges: ExchangeStatusSource = { statuses: () => runners.map((r) => r.status()), known: () => known };
  const server = await startGrpcServer(config.listen, { store, exchanges }, (method, error) => {
    log.error({ method, err: error }, 'unexpected error in RPC handler');
  });
  log.info({ listen: config.listen, port: server.port, exchanges: runners.map((r) => r.id) }, 'serving');
  for (const runner of runners) runner.start();
  return {
    port: server.port,
    store,
    stop: async (graceMs) => {
      for (const runner of runners) runner.stop();
      await server.close(graceMs);
    },
  };
}
