import { map, range, Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier, type WebhookNotifierOptions } from '../../src/adapters/webhook/webhook-notifier.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { batch } from './support/batches.js';
import { capturedLogger } from './support/captured-logger.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';
import { Receiver } from './support/receiver.js';

const secret = 'whsec_queue_test';
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: Partial<WebhookNotifierOptions> = {}) {
  const receiver = await Receiver.start(secret);
  const { log, lines } = capturedLogger();
  // Short retry waits, so a test that makes its receiver fail goes on quickly.
  const notifier = new WebhookNotifier({ url: receiver.url, secret, initialBackoffMs: 20, maxBackoffMs: 200, ...options }, log);
  cleanup.push(() => receiver.close(), () => notifier.close());
  return { receiver, notifier, lines };
}

/** notifier.close(), failing the test (rather than hanging it) if it does not return. */
async function closed(notifier: WebhookNotifier): Promise<void> {
  let done = false;
  const closing = notifier.close().finally(() => { done = true; });
  await waitFor(() => done, 'close() to return');
  await closing;
}

describe('WebhookNotifier queue', () => {
  it('never slows the source: a fast source finishes emitting while a slow receiver is still busy', async () => {
    const { receiver, notifier } = await setup();
    // The first request is answered only when the test says; the others take 10 ms each, as a
    // slow receiver would (nothing waits on that time).
    let answerFirst = (): void => undefined;
    const firstAnswered = new Promise<void>((resolve) => { answerFirst = resolve; });
    receiver.answer = (index) => (index === 1 ? { status: 200, after: firstAnswered } : { status: 200, delayMs: 10 });
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);

    // Each emit returns before anything is even sent: the subscriber only queues.
    for (let revision = 1; revision <= 20; revision += 1) source.next(batch(revision));
    expect(receiver.requests).toHaveLength(0);
    expect(notifier.stats()).toMatchObject({ queued: 20, delivered: 0 });

    // And while a request waits on the slow receiver, an emit still returns at once.
    await waitFor(() => receiver.requests.length === 1, 'the first request');
    source.next(batch(21));
    expect(notifier.stats()).toMatchObject({ queued: 21, delivered: 0 });

    // A synchronous source completes inside subscribe: attaching only queues.
    const subscription = notifier.attach(range(22, 9).pipe(map(batch)));
    expect(subscription.closed).toBe(true);
    expect(notifier.stats().queued).toBe(30);

    answerFirst();
    await waitFor(() => notifier.stats().delivered === 30 || notYet(notifier.stats()), 'all 30 batches delivered');
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
    await waitFor(() => receiver.requests.length >= 2, 'a retry of batch 1');

    source.next(batch(4));
    source.next(batch(5));
    expect(notifier.stats()).toMatchObject({ dropped: 2, queued: 3, delivered: 0 });
    const drops = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => String(l['msg']).startsWith('webhook queue full'));
    expect(drops.map((d) => [d['level'], d['revision']])).toEqual([[40, 1], [40, 2]]);
    expect(String(drops[0]!['msg'])).toContain('re-sync through ListInstruments');

    down = false;
    await waitFor(() => notifier.stats().delivered === 3 || notYet(notifier.stats()), 'the 3 kept batches delivered');
    expect(receiver.accepted()).toEqual([3, 4, 5]);
    expect(notifier.stats()).toMatchObject({ delivered: 3, dropped: 2, queued: 0 });
  });

  it('close() abandons a pending request at once', async () => {
    // The request timeout outlasts the test (whose timeout is two waits), and the receiver never
    // answers: only close() can end the request, so close() returning shows it waited for neither.
    const { receiver, notifier } = await setup({ timeoutMs: 4 * PATIENCE_MS });
    receiver.answer = () => 'hang';
    notifier.attach(range(1, 2).pipe(map(batch)));
    await waitFor(() => receiver.requests.length === 1, 'the first request');

    const started = performance.now();
    await closed(notifier);
    console.info(`webhook close() with a request pending: ${(performance.now() - started).toFixed(0)} ms`);
    await waitFor(() => receiver.aborted === 1, 'the receiver to see the request aborted');
    // No failed attempt: the request was abandoned, not timed out.
    expect(notifier.stats()).toEqual({ delivered: 0, failedAttempts: 0, dropped: 0, queued: 2 });
    expect(() => notifier.attach(new Subject<ChangeBatchEvent>())).toThrow('webhook notifier is closed');
  });

  it('close() cancels a retry wait and stops taking batches', async () => {
    // A retry wait that outlasts the test (whose timeout is two waits): close() returning at all
    // shows it cut the wait short.
    const { receiver, notifier } = await setup({ initialBackoffMs: 4 * PATIENCE_MS, maxBackoffMs: 4 * PATIENCE_MS });
    receiver.answer = () => ({ status: 500 });
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);
    source.next(batch(1));
    await waitFor(() => notifier.stats().failedAttempts === 1, 'the first failed attempt');

    const started = performance.now();
    await closed(notifier);
    console.info(`webhook close() in a retry wait: ${(performance.now() - started).toFixed(0)} ms`);
    expect(source.observed).toBe(false);
    source.next(batch(2));
    // close() resolves once the delivery loop has ended, and only that loop sends: nothing was or
    // will be sent after the one failed request, and batch 2 was never taken.
    expect(receiver.requests).toHaveLength(1);
    expect(notifier.stats()).toEqual({ delivered: 0, failedAttempts: 1, dropped: 0, queued: 1 });
  });
});
