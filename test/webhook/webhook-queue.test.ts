import { map, range, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier, type WebhookNotifierOptions } from '../../src/adapters/webhook/webhook-notifier.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { batch } from './support/batches.js';
import { capturedLogger } from './support/captured-logger.js';
import { Receiver } from './support/receiver.js';
import { waitUntil } from './support/wait-until.js';

const secret = 'whsec_queue_test';
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: Partial<WebhookNotifierOptions> = {}) {
  const receiver = await Receiver.start(secret);
  const { log, lines } = capturedLogger();
  const notifier = new WebhookNotifier({ url: receiver.url, secret, initialBackoffMs: 20, maxBackoffMs: 200, ...options }, log);
  cleanup.push(() => receiver.close(), () => notifier.close());
  return { receiver, notifier, lines };
}

describe('WebhookNotifier queue', () => {
  it('never slows the source: a fast source finishes emitting while a slow receiver is still busy', async () => {
    const { receiver, notifier } = await setup();
    receiver.answer = (index) => ({ status: 200, delayMs: index === 1 ? 300 : 10 });
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);

    // Each emit returns before anything is even sent: the subscriber only queues.
    for (let revision = 1; revision <= 20; revision += 1) source.next(batch(revision));
    expect(receiver.requests).toHaveLength(0);
    expect(notifier.stats()).toMatchObject({ queued: 20, delivered: 0 });

    // And while a request waits on the slow receiver, an emit still returns at once.
    await waitUntil(() => receiver.requests.length === 1);
    source.next(batch(21));
    expect(notifier.stats()).toMatchObject({ queued: 21, delivered: 0 });

    // A synchronous source completes inside subscribe: attaching only queues.
    const subscription = notifier.attach(range(22, 9).pipe(map(batch)));
    expect(subscription.closed).toBe(true);
    expect(notifier.stats().queued).toBe(30);

    await waitUntil(() => notifier.stats().delivered === 30);
    expect(receiver.accepted()).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(notifier.stats()).toEqual({ delivered: 30, failedAttempts: 0, dropped: 0, queued: 0 });
  });

  it('drops the oldest batch, even mid-retry, when the queue overflows while the receiver is down', async () => {
    const { receiver, notifier, lines } = await setup({ maxQueuedBatches: 3 });
    let down = true;
    receiver.answer = () => ({ status: down ? 503 : 200 });
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);
    for (let revision = 1; revision <= 3; revision += 1) source.next(batch(revision));
    await waitUntil(() => receiver.requests.length >= 2);

    source.next(batch(4));
    source.next(batch(5));
    expect(notifier.stats()).toMatchObject({ dropped: 2, queued: 3, delivered: 0 });
    const drops = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).startsWith('webhook queue full'));
    expect(drops.map((d) => [d['level'], d['revision']])).toEqual([[40, 1], [40, 2]]);
    expect(String(drops[0]!['msg'])).toContain('re-sync through ListInstruments');

    down = false;
    await waitUntil(() => notifier.stats().delivered === 3);
    expect(receiver.accepted()).toEqual([3, 4, 5]);
    expect(notifier.stats()).toMatchObject({ delivered: 3, dropped: 2, queued: 0 });
  });

  it('close() abandons a pending request at once', async () => {
    const { receiver, notifier } = await setup({ timeoutMs: 60_000 });
    receiver.answer = () => 'hang';
    notifier.attach(range(1, 2).pipe(map(batch)));
    await waitUntil(() => receiver.requests.length === 1);

    const started = performance.now();
    await notifier.close();
    expect(performance.now() - started).toBeLessThan(500);
    await waitUntil(() => receiver.aborted === 1);
    expect(notifier.stats()).toEqual({ delivered: 0, failedAttempts: 0, dropped: 0, queued: 2 });
    expect(() => notifier.attach(new Subject<ChangeBatchEvent>())).toThrow('webhook notifier is closed');
  });

  it('close() cancels a retry wait and stops taking batches', async () => {
    const { receiver, notifier } = await setup({ initialBackoffMs: 10_000, maxBackoffMs: 10_000 });
    receiver.answer = () => ({ status: 500 });
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);
    source.next(batch(1));
    await waitUntil(() => notifier.stats().failedAttempts === 1);

    const started = performance.now();
    await notifier.close();
    expect(performance.now() - started).toBeLessThan(500);
    expect(source.observed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(receiver.requests).toHaveLength(1);
  });
});
