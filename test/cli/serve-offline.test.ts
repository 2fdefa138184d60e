import { credentials } from '@grpc/grpc-js';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState, InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { startCli, type CliProcess } from '../support/demo-process.js';
import { rpcOf, type Rpc } from '../support/service-harness.js';
import { notYet, waitFor } from '../support/wait-for.js';

// `npm start` offline: every exchange unreachable. A closed loopback port stands in for the
// internet, so the test is the same on any machine.
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let cli: CliProcess;
let client: InstrumentServiceClient;
let rpc: Rpc;
beforeAll(async () => {
  const port = await closedPort();
  const dataDir = mkdtempSync(join(tmpdir(), 'serve-offline-'));
  cli = await startCli(['serve', '--config', 'instruments.yaml', '--listen', '127.0.0.1:0', '--proxy-url', `http://127.0.0.1:${port}/`, '--data-dir', dataDir]);
  client = new InstrumentServiceClient(`127.0.0.1:${cli.port}`, credentials.createInsecure());
  rpc = rpcOf(client);
});
afterAll(async () => {
  client.close();
  expect(await cli.stop()).toBe(0);
});

it('keeps serving, reports each configured exchange unavailable with its reason, and retries', async () => {
  // Two failed attempts each: the first, and a retry (instruments.yaml: 5 s ±20% later).
  const status = await waitFor(async () => {
    const now = await rpc.getStatus();
    return now.exchanges.length > 0 && now.exchanges.every((e) => e.consecutiveFailures >= 2)
      ? now : notYet(now.exchanges.map((e) => `${e.ccxtExchange}: ${e.consecutiveFailures}`));
  }, 'every exchange to fail twice', { everyMs: 250 });
  expect(status.exchanges.map((e) => e.ccxtExchange).sort()).toEqual(['binance', 'binancecoinm', 'binanceusdm', 'deribit', 'dydx', 'mexc', 'okx']);
  for (const e of status.exchanges) {
    expect(e.state, e.ccxtExchange).toBe(ExchangeState.EXCHANGE_STATE_FAILED);
    expect(e.lastError, e.ccxtExchange).toMatch(/ECONNREFUSED|fetch failed|NetworkError|ExchangeNotAvailable/);
    expect(e.consecutiveFailures, e.ccxtExchange).toBeGreaterThanOrEqual(2);
  }
  // A warning per failed attempt: the logs come on another pipe than the answers, so wait for them.
  const warnings = () => cli.logs.filter((l) => l.includes('exchange unavailable, will retry')).length;
  await waitFor(() => warnings() >= 2 * status.exchanges.length || notYet(`${warnings()} warnings`), 'a warning per failed attempt');
});
