import { credentials, makeGenericClientConstructor, status as Status, type ServiceDefinition } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { CliProcess } from '../support/demo-process.js';
import { servedLagMs, slowestRoundTripMs, startDelayProbe } from '../support/machine-delay.js';
import { RecordedExchanges } from '../support/recordings.js';
import { launch, waitForExchanges, type Served, type UserConfig } from '../support/service-harness.js';
import { watch } from '../support/store-harness.js';
import { PATIENCE_MS, waitFor } from '../support/wait-for.js';

// SIGTERM with watches open: health turns NOT_SERVING, every watch ends with UNAVAILABLE telling
// the client to resume elsewhere, state is flushed, and the process exits 0 within the grace.

/** The grace under test (server.shutdown_grace_seconds): the process must be gone within it. */
const GRACE_SECONDS = 8;
let recorded: RecordedExchanges;
const running: Served[] = [];
const dataDir = mkdtempSync(join(tmpdir(), 'graceful-'));
/** The built CLI's `serve` on dydx, on the shared data dir. */
async function serve(config: UserConfig = {}): Promise<Served> {
  const served = await launch({ process: 'child', recorded, exchanges: ['dydx'], dataDir, config: { server: { shutdown_grace_seconds: GRACE_SECONDS }, ...config } });
  running.push(served);
  return served;
}

beforeAll(async () => {
  recorded = await RecordedExchanges.start();
});
afterAll(async () => {
  for (const served of running) await served.close();
  await recorded?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const HealthClient = makeGenericClientConstructor(healthService as unknown as ServiceDefinition, 'grpc.health.v1.Health');

it('ends watches with UNAVAILABLE, reports NOT_SERVING, flushes state and exits 0 within the grace period', async () => {
  const served = await serve();
  const cli = served.cli as CliProcess;
  await waitForExchanges(served, ['dydx']);
  const revision = (await served.rpc.getStatus()).revision;

  // Three open watches, each live (its first message arrived).
  const watches = [0, 1, 2].map(() => watch(served.client, {}));
  await waitFor(() => watches.every((w) => w.messages.length > 0), 'a first message on each of the three watches');
  // Health as a watch: it must see NOT_SERVING before the server goes away.
  const health = new HealthClient(served.address, credentials.createInsecure()) as unknown as { watch(req: object): NodeJS.EventEmitter & { cancel(): void }; close(): void };
  const statuses: string[] = [];
  const healthStream = health.watch({ service: '' });
  healthStream.on('error', () => {});
  healthStream.on('data', (m: { status: string }) => statuses.push(m.status));
  await waitFor(() => statuses.length > 0, 'the health watch\'s first status');

  // What this machine adds to the grace, measured in this run: the child's own timer lateness
  // since it started (its busiest time, the first load), a round trip to it, and this process's
  // timer lateness while it shuts down (the same cores, so the same contention).
  const childLagMs = await servedLagMs(served.httpPort as number);
  const roundTripMs = await slowestRoundTripMs(() => served.rpc.getStatus());
  const probe = startDelayProbe();
  const signalled = Date.now();
  const exitCode = await cli.stop();
  const elapsedMs = Date.now() - signalled;
  const lagMs = probe.maxLagMs();
  probe.stop();
  const ended = await Promise.all(watches.map((w) => w.status()));
  health.close();

  expect(exitCode).toBe(0);
  const boundMs = GRACE_SECONDS * 1000 + childLagMs + roundTripMs + lagMs;
  console.info(`graceful shutdown: exited in ${elapsedMs} ms; bound ${Math.round(boundMs)} ms = grace ${GRACE_SECONDS * 1000} + child lag ${Math.round(childLagMs)} + round trip ${Math.round(roundTripMs)} + lag here ${Math.round(lagMs)}`);
  expect(elapsedMs).toBeLessThan(boundMs);
  for (const status of ended) {
    expect(status.code).toBe(Status.UNAVAILABLE);
    expect(status.details).toMatch(/server shutting down; reconnect and resume with start_revision/);
  }
  expect(statuses).toEqual(['SERVING', 'NOT_SERVING']);
  const lines = served.logs.map((l) => JSON.parse(l) as { msg: string; watchers?: number });
  expect(lines.find((l) => l.msg === 'shutting down')?.watchers).toBe(3);
  expect(lines.at(-1)?.msg).toBe('stopped');

  // Flushed: a restart on the same directory, with the exchange unreachable (nothing listens on
  // the discard port) so no refresh can change anything, serves the same revision at once.
  const again = await serve({ live: { exchanges: { dydx: { ccxt: { proxyUrl: 'http://127.0.0.1:9/' } } } } });
  const status = await again.rpc.getStatus();
  expect(status.revision).toBe(revision);
  expect(status.exchanges[0]?.servingSnapshot).toBe(true);
  expect(await (again.cli as CliProcess).stop()).toBe(0);
}, 6 * PATIENCE_MS); // a failure detector: two starts, three waits and a stop bounded by the grace (less than one)
