#!/usr/bin/env node
// The servers under test for bench/list-instruments.mjs, in their own process: one InstrumentStore
// holding every fixture exchange, loaded as the service loads it (startRefreshing: CCXT in the
// market-loader worker pool, through the replay exchange, the refresh guard, applyExchange), and
// TWO gRPC servers over that same store and exchange status (startGrpcServer):
//   cached       default options: the service as shipped;
//   perRequest   { responseEncoding: 'per-request' }: the baseline that encodes every instrument
//                again on each request (until startGrpcServer knows that option, both are alike).
// Neither has interceptors (startGrpcServer's default; the service adds metrics in service.ts).
//
//   node bench/support/list-server.mjs
// prints one JSON line { cached, perRequest, instruments, revision, exchanges, perRequestOptionInDist }
// once both listen, then serves until SIGTERM.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filter, firstValueFrom, scan, timeout } from 'rxjs';
import { startReplayServer } from '../../dist/src/adapters/replay/index.js';
import { createLogger } from '../../dist/src/adapters/logger.js';
import { DEFAULT_CONFIG } from '../../dist/src/app/config.js';
import { startRefreshing } from '../../dist/src/app/refreshing.js';
import { DEFAULT_WATCH_SETTINGS } from '../../dist/src/rpc/watch-changes.js';
import { startGrpcServer } from '../../dist/src/server/grpc-server.js';
import { InstrumentStore } from '../../dist/src/store/instrument-store.js';
import { exitWhenParentGoes } from './child-script.mjs';
import { fixtureExchanges, FIXTURES, ROOT } from './service-process.mjs';

const LOAD_TIMEOUT_MS = 120_000;
const log = createLogger({ level: 'warn', format: 'json' });

/** Loads every fixture exchange into `store`; resolves with the exchange status source. */
async function loadAll(store) {
  const replay = await startReplayServer({ fixturesDir: FIXTURES });
  const ids = fixtureExchanges(replay);
  const config = {
    ...DEFAULT_CONFIG,
    proxyUrl: replay.url,
    exchanges: Object.fromEntries(ids.map((id) => [id, { ccxt: replay.ccxtOptionsFor(id) ?? {}, sandbox: false }])),
  };
  const refreshing = startRefreshing(config, store, log);
  try {
    // Every exchange's first successful load (applied or unchanged); failures are retried.
    await firstValueFrom(refreshing.events$.pipe(
      filter((e) => e.outcome === 'applied' || e.outcome === 'unchanged'),
      scan((done, e) => done.add(e.exchange), new Set()),
      filter((done) => done.size === ids.length),
      timeout(LOAD_TIMEOUT_MS),
    ));
  } finally {
    // Loaded: no refresh may change the store during the measurement. Status stays readable.
    await refreshing.stop();
    await replay.close();
  }
  return { ids, exchanges: refreshing.exchanges };
}

const store = new InstrumentStore();
const servers = [];
// Registered before loading, so a bench that dies during the load does not leave this behind.
exitWhenParentGoes(async () => {
  await Promise.all(servers.map((server) => server.close(0)));
  store.close();
});
const { ids, exchanges } = await loadAll(store);
const ctx = { store, exchanges };
const logError = (method, error) => log.error({ method, err: error }, 'unexpected error in RPC handler');
const cached = await startGrpcServer('127.0.0.1:0', ctx, logError, DEFAULT_WATCH_SETTINGS, {});
const perRequest = await startGrpcServer('127.0.0.1:0', ctx, logError, DEFAULT_WATCH_SETTINGS, { responseEncoding: 'per-request' });
servers.push(cached, perRequest);
// Whether the build knows the option at all: if not, both servers are the same and the ratio ~1.
const perRequestOptionInDist = readFileSync(join(ROOT, 'dist/src/server/grpc-server.js'), 'utf8').includes('responseEncoding');
console.log(JSON.stringify({
  cached: cached.port, perRequest: perRequest.port, instruments: store.view().byKey.size, revision: store.revision, exchanges: ids, perRequestOptionInDist,
}));

