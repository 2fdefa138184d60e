#!/usr/bin/env node
// The real service for end-to-end suites in any language (pytest, go test, vitest): the replay
// exchange serves binanceusdm (switchable between its two real recordings) and dydx through real
// CCXT, and the built server (dist/) serves them on 127.0.0.1:<free port>.
//
//   node test/support/e2e-server.mjs          (run `npm run build` first)
//
// stdout, one JSON line per event:  {"event":"ready","address":"127.0.0.1:PORT","revision":N}
// stdin, one command per line, each answered by one line:
//   use older | use newer   switch binanceusdm's recording; answered once a refresh that started
//                           after the switch has been applied: {"event":"used","recording":..,"revision":N}
//   disconnect              end every open WatchChanges stream with UNAVAILABLE (as a shutdown
//                           does): {"event":"disconnected","watchers":K}
//   revision                {"event":"revision","revision":N}
// EOF or `stop` stops the server and exits 0.
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = (path) => import(join(ROOT, 'dist', path));
const [{ startReplayServer }, { DEFAULT_CONFIG }, { startService }, { createLogger }] = await Promise.all([
  dist('src/adapters/replay/index.js'), dist('src/app/config.js'), dist('src/app/service.js'), dist('src/adapters/logger.js'),
]);

const FIXTURES = join(ROOT, 'test', 'fixtures');
const RECORDINGS = {
  older: join(FIXTURES, 'exchanges-dated', 'binanceusdm@2024-12-13'),
  newer: join(FIXTURES, 'exchanges', 'binanceusdm'),
};
const initial = process.env.E2E_RECORDING === 'older' ? 'older' : 'newer';

const say = (event) => process.stdout.write(`${JSON.stringify(event)}\n`);
const replay = await startReplayServer({ sets: { binanceusdm: RECORDINGS[initial], dydx: join(FIXTURES, 'exchanges', 'dydx') } });
const exchanges = Object.fromEntries(['binanceusdm', 'dydx'].map((id) => [id, { ccxt: { ...replay.ccxtOptionsFor(id), proxyUrl: replay.proxyUrlFor(id) }, sandbox: false }]));
const service = await startService({
  ...DEFAULT_CONFIG,
  listen: '127.0.0.1:0',
  http: { ...DEFAULT_CONFIG.http, enabled: false },
  exchanges,
  refresh: { ...DEFAULT_CONFIG.refresh, intervalSeconds: 0.5, jitterRatio: 0, retryInitialSeconds: 0.2, retryMaxSeconds: 1 },
  // A switch of recordings removes a third of binanceusdm at once: apply it on the first refresh.
  maxRemovalRatio: 1,
}, createLogger(process.env.E2E_LOG_LEVEL ?? 'silent'));

/** Resolves once `count` refreshes of `exchange` that started after now have completed. */
function refreshes(exchange, count) {
  return new Promise((resolve) => {
    let seen = 0;
    const subscription = service.refreshes$.subscribe((event) => {
      if (event.exchange !== exchange || event.outcome === 'failed') return;
      seen += 1;
      // The first may have started before the switch; the second started after it.
      if (seen >= count) {
        subscription.unsubscribe();
        resolve();
      }
    });
  });
}

// Ready once every exchange has loaded: checked now and at every refresh event, never by the clock.
const ready = () => service.exchanges.statuses().every((s) => s.lastSuccessTime !== undefined);
await new Promise((resolve) => {
  let subscription;
  const check = () => {
    if (!ready()) return;
    subscription?.unsubscribe();
    resolve();
  };
  subscription = service.refreshes$.subscribe(check);
  check();
});
say({ event: 'ready', address: `127.0.0.1:${service.port}`, revision: service.store.revision });

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await service.stop(1000);
  await replay.close();
  process.exit(0);
}

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  const [command, arg] = line.trim().split(/\s+/);
  if (command === 'use' && (arg === 'older' || arg === 'newer')) {
    await replay.mount('binanceusdm', RECORDINGS[arg]);
    await refreshes('binanceusdm', 2);
    say({ event: 'used', recording: arg, revision: service.store.revision });
  } else if (command === 'disconnect') {
    const watchers = service.server.watchers.size;
    service.server.watchers.endAll('test: forced disconnect');
    say({ event: 'disconnected', watchers });
  } else if (command === 'revision') {
    say({ event: 'revision', revision: service.store.revision });
  } else if (command === 'stop') {
    break;
  } else if (command) {
    say({ event: 'error', message: `unknown command "${line.trim()}"; accepted: use older|newer, disconnect, revision, stop` });
  }
}
await stop();
