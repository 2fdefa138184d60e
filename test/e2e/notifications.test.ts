// The service's own notification paths, wired end to end: a real refresh of a recorded exchange
// reaches a webhook receiver (signed, retried after the receiver first fails) and in-process
// change callbacks, and a throwing callback does not disturb either.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { createLogger } from '../../src/adapters/logger.js';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { TEST_CONFIG } from '../support/service-harness.js';
import { startService, type RunningService } from '../../src/app/service.js';
import { EXCHANGES_DIR } from '../support/fixtures.js';
import { Receiver } from '../webhook/support/receiver.js';

const SECRET = 'e2e-webhook-secret-5f1c';
let replay: ReplayServer;
let receiver: Receiver;
let service: RunningService;
const callbackBatches: ChangeBatchEvent[] = [];

beforeAll(async () => {
  replay = await startReplayServer({ fixturesDir: EXCHANGES_DIR });
  receiver = await Receiver.start(SECRET);
  receiver.answer = (index) => (index <= 2 ? { status: 503 } : { status: 200 });
  service = await startService({
    ...TEST_CONFIG, proxyUrl: replay.url, webhookUrl: `${receiver.url}hook`,
    exchanges: { dydx: { ccxt: {}, sandbox: false } },
  }, createLogger('silent'), { INSTRUMENTS_WEBHOOK_SECRET: SECRET });
  service.addChangeCallback(() => {
    throw new Error('a broken consumer');
  });
  service.addChangeCallback((batch) => callbackBatches.push(batch));
}, 60_000);

afterAll(async () => {
  await service?.stop(1000);
  await receiver?.close();
  await replay?.close();
});

it('the first load reaches the webhook signed, after the receiver answered 503 twice, and the callbacks', async () => {
  for (const deadline = Date.now() + 30_000; !receiver.requests.some((r) => r.status === 200);) {
    if (Date.now() > deadline) throw new Error(`no delivery: ${JSON.stringify(receiver.requests.map((r) => r.status))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(receiver.requests.map((r) => r.status)).toEqual([503, 503, 200]);
  expect(receiver.requests.every((r) => r.verification.ok)).toBe(true);
  const body = JSON.parse(receiver.requests[2]?.body ?? '{}') as { revision: number; ccxtExchange: string; changes: unknown[] };
  expect([body.revision, body.ccxtExchange, body.changes.length]).toEqual([1, 'dydx', 125]);
  expect(receiver.requests[2]?.headers['x-instruments-revision']).toBe('1');
  expect(callbackBatches.map((b) => [b.revision, b.changes.length])).toEqual([[1, 125]]);
});

it('refuses to start with a webhook but no secret to sign with', async () => {
  await expect(startService({ ...TEST_CONFIG, webhookUrl: 'http://127.0.0.1:9/hook', exchanges: {} }, createLogger('silent'), {}))
    .rejects.toThrow(/monitoring\.webhook_url is set but INSTRUMENTS_WEBHOOK_SECRET is not/);
});
