// The built service (`instruments serve`, dist/) as a separate process for the benches, on the
// replay exchange (dist/src/adapters/replay: the recorded exchange responses served over HTTP),
// with a config file in the service's own YAML shape (JSON is YAML). Two levels:
//   - startLoadedService(): the service set up as in production (every fixture exchange loaded
//     through CCXT from the replay exchange, durable state on in a temp dir, the HTTP ops port
//     enabled so the metrics interceptor runs around every call), resolved once it has loaded;
//     `close()` undoes it all. What the transport, refresh, versus-CCXT and watch benches run.
//   - writeServiceConfig() + spawnServe() + waitForLoaded() + stopChild(): the parts, for benches
//     that time the start itself (cold-start) or wait for something else (scale).
// Plus the client side: clientFor(), call() (a unary call as a promise) and listKeys().
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials, Metadata } from '@grpc/grpc-js';
import { InstrumentServiceClient, ListInstrumentsRequest } from '../../dist/gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer } from '../../dist/src/adapters/replay/index.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures/exchanges');

/** Every recorded exchange of a replay server, by its CCXT id (prefixes that are aliases of another are left out). */
export function fixtureExchanges(replay) {
  return replay.prefixes().filter((prefix) => replay.exchangeFor(prefix) === prefix);
}

/**
 * Writes a config serving `ids` from the replay server `replay` (or from nothing: `proxyUrl` to a
 * closed port) and returns its path. `live` and `top` merge into the live section and the top level.
 */
export function writeServiceConfig(file, { replay, ids, proxyUrl, live = {}, top = {} }) {
  const exchanges = Object.fromEntries(ids.map((id) => [id, { ccxt: replay?.ccxtOptionsFor(id) ?? {} }]));
  const config = {
    server: { listen: '127.0.0.1:0' },
    http: { enabled: false },
    live: { exchanges, proxy_url: proxyUrl ?? replay.url, ...live },
    logging: { level: 'info', format: 'json' },
    ...top,
  };
  writeFileSync(file, JSON.stringify(config, null, 2));
  return file;
}

/**
 * Spawns `node [...nodeArgs] instruments serve --config file [...args]`. `serving` resolves with
 * its "serving" log line (parsed: port, httpPort, ...) and `port` with the gRPC port in it; both
 * reject if the process exits first. Every log line, that one included, goes to `onLog` (parsed JSON).
 */
export function spawnServe(configFile, args = [], { onLog = () => {}, env = process.env, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--config', configFile, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const serving = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      let entry;
      try { entry = JSON.parse(line); } catch { console.error(line); return; }
      if (entry.msg === 'serving') resolve(entry);
      onLog(entry);
    });
  });
  const port = serving.then((entry) => entry.port);
  port.catch(() => {}); // a caller may await `serving` alone: its rejection is reported there
  return { child, serving, port };
}

export function clientFor(port) {
  return new InstrumentServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
}

/** A unary call on the generated client as a promise; `options` are grpc-js call options (e.g. { deadline }). */
export function call(client, method, request, options = {}) {
  return new Promise((resolve, reject) => client[method](request, new Metadata(), options, (error, response) => (error ? reject(error) : resolve(response))));
}

/** Every instrument key the service lists (ListInstruments, all pages), in its order. */
export async function listKeys(client, pageSize = 1000) {
  const keys = [];
  let pageToken = '';
  do {
    const page = await call(client, 'listInstruments', ListInstrumentsRequest.fromPartial({ pageSize, pageToken }));
    for (const d of page.instruments) keys.push(d.instrumentKey);
    pageToken = page.nextPageToken;
  } while (pageToken !== '');
  return keys;
}

/** Resolves once GetStatus shows every one of `ids` loaded at least once. */
export async function waitForLoaded(client, ids, timeoutMs = 120_000) {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const ready = await new Promise((resolve) => client.getStatus({}, (err, res) => resolve(!err && ids.every((id) => res.exchanges.some((e) => e.ccxtExchange === id && e.lastSuccessTime !== undefined)))));
    if (ready) return;
    if (Date.now() > deadline) throw new Error(`exchanges ${ids.join(', ')} did not load within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGTERM (the service flushes its durable state and exits); resolves once the process has exited. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/**
 * Starts the service and resolves once every exchange of `ids` is loaded. `replay`: a replay
 * server to use (left running by close()); by default one on the recorded fixtures is started and
 * closed with the service. `ids` default to every fixture exchange of the replay; `proxyUrl`,
 * `live` and `top` go to writeServiceConfig (the HTTP ops port is on unless `top.http` says
 * otherwise); `nodeArgs` go to the service's node (e.g. --cpu-prof) and `onLog` gets its log lines.
 *
 * Resolves with { replay, ids, port, httpPort, pid, child, client, spawnedAt (performance.now() at
 * the spawn), close }. `close()` closes the client, stops the service, closes the replay server if
 * it started it and removes the temp dir (config and data dir): call it in a finally.
 */
export async function startLoadedService({ replay: givenReplay, ids: givenIds, proxyUrl, live, top, nodeArgs = [], onLog, loadTimeoutMs } = {}) {
  const replay = givenReplay ?? await startReplayServer({ fixturesDir: FIXTURES });
  const dir = mkdtempSync(join(tmpdir(), 'bench-service-'));
  let child;
  let client;
  const close = async () => {
    client?.close();
    if (child) await stopChild(child);
    if (givenReplay === undefined) await replay.close();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ids = givenIds ?? fixtureExchanges(replay);
    const config = writeServiceConfig(join(dir, 'service.yaml'), {
      replay, ids, proxyUrl, live, top: { http: { enabled: true, listen: '127.0.0.1:0' }, ...top },
    });
    const spawnedAt = performance.now();
    const serve = spawnServe(config, ['--data-dir', join(dir, 'data')], { nodeArgs, onLog });
    child = serve.child;
    const serving = await serve.serving;
    client = clientFor(serving.port);
    await waitForLoaded(client, ids, loadTimeoutMs);
    return { replay, ids, port: serving.port, httpPort: serving.httpPort, pid: child.pid, child, client, spawnedAt, close };
  } catch (error) {
    await close();
    throw error;
  }
}
