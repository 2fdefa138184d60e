// Runs the built service (`instruments serve`) as a separate process for the benches, on the
// replay exchange, with a config file in the service's own YAML shape (JSON is YAML).
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { credentials } from '@grpc/grpc-js';
import { InstrumentServiceClient } from '../../dist/gen/ts/instruments/v1/instrument_service.js';

export const ROOT = new URL('../..', import.meta.url).pathname;
export const CLI = join(ROOT, 'dist/src/cli/main.js');
export const FIXTURES = join(ROOT, 'test/fixtures/exchanges');

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
 * Spawns `instruments serve --config file [...args]`; `port` resolves with the gRPC port once it
 * logs "serving". Every other log line goes to `onLog` (parsed JSON).
 */
export function spawnServe(configFile, args = [], { onLog = () => {}, env = process.env, nodeArgs = [] } = {}) {
  const child = spawn(process.execPath, [...nodeArgs, CLI, 'serve', '--config', configFile, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  const port = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      let entry;
      try { entry = JSON.parse(line); } catch { console.error(line); return; }
      if (entry.msg === 'serving') resolve(entry.port);
      onLog(entry);
    });
  });
  return { child, port };
}

export function clientFor(port) {
  return new InstrumentServiceClient(`127.0.0.1:${port}`, credentials.createInsecure());
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

export async function stopChild(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
