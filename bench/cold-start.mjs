#!/usr/bin/env node
// Cold start: time from process spawn to the first answered GetInstrument, when the service starts
// from the durable snapshot of every recorded exchange, compared in the same run with a start
// that has to load the exchanges first (through the replay exchange and CCXT).
//
//   npm run build && node bench/cold-start.mjs [--rounds N]
//
// Prints a JSON line and a table. Needs dist/ (npm run build).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { credentials, Metadata } from '@grpc/grpc-js';
import { GetInstrumentRequest, InstrumentServiceClient } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';

const root = new URL('..', import.meta.url).pathname;
const cli = join(root, 'dist/src/cli/main.js');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' } } });
const rounds = Number(values.rounds);
const KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';

const replay = await startReplayServer({ fixturesDir: join(root, 'test/fixtures/exchanges') });
const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
const ids = replay.prefixes();
const config = (proxy) => {
  const file = join(dir, `config-${proxy ? 'replay' : 'dead'}.yaml`);
  const exchanges = Object.fromEntries(ids.map((id) => [id, { ccxt: replay.ccxtOptionsFor(id) }]));
  // The snapshot rounds point at a closed port: their instruments can only come from disk.
  writeFileSync(file, JSON.stringify({ exchanges, proxy_url: proxy ? replay.url : 'http://127.0.0.1:9/', log_level: 'warn' }));
  return file;
};

/** Spawns `serve` on `listen`; resolves with the child and its port once it logs "serving". */
function spawnServe(configFile, dataDir) {
  const child = spawn(process.execPath, [cli, 'serve', '--config', configFile, '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'info'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const port = new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      const entry = JSON.parse(line);
      if (entry.msg === 'serving') resolve(entry.port);
    });
  });
  return { child, port };
}

/** Time from spawning `serve` to its first answered GetInstrument (ms). */
async function timeToFirstAnswer(configFile, dataDir) {
  const started = performance.now();
  const { child, port } = spawnServe(configFile, dataDir);
  // Connect once the port is bound: polling a closed port puts the channel into reconnect backoff.
  const client = new InstrumentServiceClient(`127.0.0.1:${await port}`, credentials.createInsecure());
  try {
    for (;;) {
      const ok = await new Promise((resolve) => client.getInstrument(GetInstrumentRequest.fromPartial({ instrumentKey: KEY }), new Metadata(), { deadline: Date.now() + 1000 }, (err, res) => resolve(!err && res?.instrument?.instrumentKey === KEY)));
      if (ok) return performance.now() - started;
      if (performance.now() - started > 60_000) throw new Error('no answer within 60 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    client.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

/** Runs the service on the replay exchange until every exchange is loaded (and so persisted). */
async function fillSnapshot(dataDir) {
  const { child, port } = spawnServe(config(true), dataDir);
  const client = new InstrumentServiceClient(`127.0.0.1:${await port}`, credentials.createInsecure());
  for (const deadline = Date.now() + 120_000; ;) {
    const ready = await new Promise((resolve) => client.getStatus({}, (err, res) => resolve(!err && res.exchanges.length === ids.length && res.exchanges.every((e) => e.lastSuccessTime !== undefined))));
    if (ready) break;
    if (Date.now() > deadline) throw new Error('exchanges did not load');
    await new Promise((r) => setTimeout(r, 200));
  }
  client.close();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

const fromExchanges = [];
for (let i = 0; i < rounds; i++) fromExchanges.push(await timeToFirstAnswer(config(true), join(dir, `empty-${i}`)));
const dataDir = join(dir, 'data');
await fillSnapshot(dataDir);
const fromSnapshot = [];
for (let i = 0; i < rounds; i++) fromSnapshot.push(await timeToFirstAnswer(config(false), dataDir));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const result = {
  bench: 'cold-start', rounds, key: KEY,
  fromSnapshotMs: { median: median(fromSnapshot), max: Math.max(...fromSnapshot) },
  fromExchangesMs: { median: median(fromExchanges), max: Math.max(...fromExchanges) },
  target: 'from snapshot to first GetInstrument < 1000 ms',
};
result.met = result.fromSnapshotMs.max < 1000;
console.log(JSON.stringify(result));
console.log(`cold start to first GetInstrument (${rounds} rounds): from snapshot median ${result.fromSnapshotMs.median.toFixed(0)} ms, max ${result.fromSnapshotMs.max.toFixed(0)} ms; loading the exchanges first median ${result.fromExchangesMs.median.toFixed(0)} ms`);
await replay.close();
rmSync(dir, { recursive: true, force: true });
