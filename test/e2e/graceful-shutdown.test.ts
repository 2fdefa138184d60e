import { credentials, makeGenericClientConstructor, status as Status, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState, InstrumentServiceClient, WatchChangesRequest, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { startCli } from '../support/demo-process.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { rpcOf } from '../support/service-harness.js';

// SIGTERM with watches open: health turns NOT_SERVING, every watch ends with UNAVAILABLE telling
// the client to resume elsewhere, state is flushed, and the process exits 0 within the grace.

const GRACE_SECONDS = 8;
let replay: ReplayServer;
const dataDir = mkdtempSync(join(tmpdir(), 'graceful-'));
const args = (proxyUrl: string): string[] => ['serve', '--exchanges', 'dydx', '--proxy-url', proxyUrl, '--listen', '127.0.0.1:0', '--data-dir', dataDir];
const env = { INSTRUMENTS_SERVER_SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) };

beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
});
afterAll(() => replay.close());

const HealthClient = makeGenericClientConstructor(healthService as unknown as ServiceDefinition, 'grpc.health.v1.Health');

interface Ended { messages: WatchChangesResponse[]; error: ServiceError | undefined }

it('ends watches with UNAVAILABLE, reports NOT_SERVING, flushes state and exits 0 within the grace period', async () => {
  const cli = await startCli(args(replay.url), 30_000, env);
  const address = `127.0.0.1:${cli.port}`;
  const client = new InstrumentServiceClient(address, credentials.createInsecure());
  const rpc = rpcOf(client);
  for (let status = await rpc.getStatus(); status.exchanges[0]?.state !== ExchangeState.EXCHANGE_STATE_READY; status = await rpc.getStatus()) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const revision = (await rpc.getStatus()).revision;

  // Three open watches, each live (its first message arrived).
  // (Each resolves to a holder: resolving with the promise itself would wait for the end.)
  const watches = await Promise.all([0, 1, 2].map(() => new Promise<{ done: Promise<Ended> }>((live) => {
    const stream = client.watchChanges(WatchChangesRequest.fromPartial({}));
    const ended: Ended = { messages: [], error: undefined };
    const done = new Promise<Ended>((resolve) => {
      stream.on('error', (error: ServiceError) => resolve({ ...ended, error }));
      stream.on('end', () => resolve(ended));
    });
    stream.on('data', (m: WatchChangesResponse) => {
      ended.messages.push(m);
      if (ended.messages.length === 1) live({ done });
    });
  })));
  // Health as a watch: it must see NOT_SERVING before the server goes away.
  const health = new HealthClient(address, credentials.createInsecure()) as unknown as { watch(req: object): NodeJS.EventEmitter & { cancel(): void } };
  const statuses: string[] = [];
  const healthStream = health.watch({ service: '' });
  healthStream.on('error', () => {});
  await new Promise<void>((resolve) => healthStream.on('data', (m: { status: string }) => { statuses.push(m.status); resolve(); }));

  const signalled = Date.now();
  const exitCode = await cli.stop();
  const elapsedMs = Date.now() - signalled;
  const ended = await Promise.all(watches.map((w) => w.done));
  client.close();

  expect(exitCode).toBe(0);
  expect(elapsedMs).toBeLessThan(GRACE_SECONDS * 1000);
  for (const watch of ended) {
    expect(watch.error?.code).toBe(Status.UNAVAILABLE);
    expect(watch.error?.details).toMatch(/server shutting down; reconnect and resume with start_revision/);
  }
  expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
  const lines = cli.logs.map((l) => JSON.parse(l) as { msg: string; watchers?: number });
  expect(lines.find((l) => l.msg === 'shutting down')?.watchers).toBe(3);
  expect(lines.at(-1)?.msg).toBe('stopped');

  // Flushed: a restart on the same directory serves the same revision at once, before any refresh.
  const again = await startCli(args('http://127.0.0.1:9/'), 30_000, env);
  const restarted = rpcOf(new InstrumentServiceClient(`127.0.0.1:${again.port}`, credentials.createInsecure()));
  const status = await restarted.getStatus();
  expect(status.revision).toBe(revision);
  expect(status.exchanges[0]?.servingSnapshot).toBe(true);
  expect(await again.stop()).toBe(0);
});
