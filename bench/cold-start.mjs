#!/usr/bin/env node
// Cold start: time from process spawn to the first answered GetInstrument, when the service starts
// from the durable snapshot of every recorded exchange, compared in the same run with a start
// that has to load the exchanges first (through the replay exchange and CCXT).
//
//   npm run build && node bench/cold-start.mjs [--rounds N] [--smoke]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Metadata } from '@grpc/grpc-js';
import { GetInstrumentRequest } from '../dist/gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer } from '../dist/src/adapters/replay/index.js';
import { benchArgs, quantile, report } from './support/report.mjs';
import { clientFor, FIXTURES, spawnServe, stopChild, waitForLoaded, writeServiceConfig } from './support/service-process.mjs';

const args = benchArgs({ rounds: { type: 'string', default: '9' } });
const rounds = args.smoke ? 1 : Number(args.rounds);
const KEY = 'BINANCE-SPOT:SPOT:BTC/USDT';

const replay = await startReplayServer({ fixturesDir: FIXTURES });
const dir = mkdtempSync(join(tmpdir(), 'cold-start-'));
const ids = replay.prefixes().filter((prefix) => replay.exchangeFor(prefix) === prefix);
// The snapshot rounds point at a closed port: their instruments can only come from disk.
const liveConfig = writeServiceConfig(join(dir, 'replay.yaml'), { replay, ids });
const deadConfig = writeServiceConfig(join(dir, 'dead.yaml'), { replay, ids, proxyUrl: 'http://127.0.0.1:9/' });

/** Time from spawning `serve` to its first answered GetInstrument (ms). */
async function timeToFirstAnswer(configFile, dataDir) {
  const started = performance.now();
  const { child, port } = spawnServe(configFile, ['--data-dir', dataDir]);
  // Connect once the port is bound: polling a closed port puts the channel into reconnect backoff.
  const client = clientFor(await port);
  try {
    for (;;) {
      const ok = await new Promise((resolve) => client.getInstrument(GetInstrumentRequest.fromPartial({ instrumentKey: KEY }), new Metadata(), { deadline: Date.now() + 1000 }, (err, res) => resolve(!err && res?.instrument?.instrumentKey === KEY)));
      if (ok) return performance.now() - started;
      if (performance.now() - started > 60_000) throw new Error('no answer within 60 s');
      await new Promise((r) => setTimeout(r, 2));
    }
  } finally {
    client.close();
    await stopChild(child);
  }
}

/** Runs the service on the replay exchange until every exchange is loaded (and so persisted). */
async function fillSnapshot(dataDir) {
  const { child, port } = spawnServe(liveConfig, ['--data-dir', dataDir]);
  const client = clientFor(await port);
  await waitForLoaded(client, ids);
  client.close();
  await stopChild(child);
}

const fromExchanges = [];
for (let i = 0; i < rounds; i++) fromExchanges.push(await timeToFirstAnswer(liveConfig, join(dir, `empty-${i}`)));
const dataDir = join(dir, 'data');
await fillSnapshot(dataDir);
const fromSnapshot = [];
for (let i = 0; i < rounds; i++) fromSnapshot.push(await timeToFirstAnswer(deadConfig, dataDir));

const stats = (xs) => ({ median: quantile(xs, 0.5), max: Math.max(...xs) });
const snap = stats(fromSnapshot);
report({
  bench: 'cold-start', rounds, key: KEY, exchanges: ids,
  fromSnapshotMs: snap, fromExchangesMs: stats(fromExchanges),
  targets: [{ name: 'recorded exchanges: from snapshot to first GetInstrument < 1000 ms (max of rounds)', measured: `${snap.max.toFixed(0)} ms`, met: snap.max < 1000 }],
}, [
  { start: 'from snapshot', medianMs: snap.median, maxMs: snap.max },
  { start: 'loading the exchanges', medianMs: stats(fromExchanges).median, maxMs: stats(fromExchanges).max },
]);
await replay.close();
rmSync(dir, { recursive: true, force: true });
