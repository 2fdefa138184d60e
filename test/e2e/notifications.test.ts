// The service's own notification paths, wired end to end: a real refresh of a recorded exchange
// reaches a webhook receiver (signed, retried after the receiver first fails) and in-process
// change callbacks, and a throwing callback does not disturb either.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningService } from '../../src/app/service.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { launch, type Served } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { Receiver } from '../webhook/support/receiver.js';

const SECRET = 'e2e-webhook-secret-5f1c';
let receiver: Receiver | undefined;
let served: Served | undefined;
const callbackBatches: ChangeBatchEvent[] = [];

beforeAll(async () => {
  receiver = await Receiver.start(SECRET);
  receiver.answer = (index) => (index <= 2 ? { status: 503 } : { status: 200 });
  served = await launch({
    exchanges: ['dydx'],
    config: { monitoring: { enabled: true, webhook_url: `${receiver.url}hook` } },
    env: { INSTRUMENTS_WEBHOOK_SECRET: SECRET },
  });
  // Subscribed before the first load can apply: only microtasks ran since the service started,
  // and the load completes on the loader thread (a message, so a later macrotask).
  const service = served.service as RunningService;
  service.addChangeCallback(() => {
    throw new Error('a broken consumer');
  });
  service.addChangeCallback((batch) => callbackBatches.push(batch));
});

afterAll(async () => {
  await served?.close();
  await receiver?.close();
});

it('the first load reaches the webhook signed, after the receiver answered 503 twice, and the callbacks', async () => {
  const { requests } = receiver as Receiver;
  await waitFor(() => requests.some((r) => r.status === 200) || notYet(requests.map((r) => r.status)), 'the webhook delivered (answered 200)');
  expect(requests.map((r) => r.status)).toEqual([503, 503, 200]);
  expect(requests.every((r) => r.verification.ok)).toBe(true);
  const body = JSON.parse(requests[2]?.body ?? '{}') as { revision: number; ccxtExchange: string; changes: unknown[] };
  expect([body.revision, body.ccxtExchange, body.changes.length]).toEqual([1, 'dydx', 125]);
  expect(requests[2]?.headers['x-instruments-revision']).toBe('1');
  // Callbacks run as the batch is published, before the webhook's first attempt: the broken one
  // was called (and its error logged) and the next one still got the batch.
  expect(callbackBatches.map((b) => [b.revision, b.changes.length])).toEqual([[1, 125]]);
  const failed = await (served as Served).logEntry((e) => e.msg === 'change callback failed', 'the broken callback logged');
  expect(failed.revision).toBe(1);
}, 2 * PATIENCE_MS); // a failure detector: two waits at most

it('refuses to start with a webhook but no secret to sign with', async () => {
  // On the first service's replay, which serves nothing to this one: a start that fails has nothing to close.
  await expect(launch({
    exchanges: [], recorded: (served as Served).recorded,
    config: { monitoring: { enabled: true, webhook_url: 'http://127.0.0.1:9/hook' } },
    env: {},
  })).rejects.toThrow(/monitoring\.webhook_url is set but INSTRUMENTS_WEBHOOK_SECRET is not/);
});
