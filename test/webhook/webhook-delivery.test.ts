import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier, type WebhookNotifierOptions } from '../../src/adapters/webhook/webhook-notifier.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { webhookBody } from '../../src/domain/webhook-payload.js';
import { batch } from './support/batches.js';
import { capturedLogger } from './support/captured-logger.js';
import { notYet, waitFor } from '../support/wait-for.js';
import { Receiver } from './support/receiver.js';

const secret = 'whsec_delivery_test';
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function setup(options: Partial<WebhookNotifierOptions> = {}) {
  const receiver = await Receiver.start(secret);
  const { log, lines } = capturedLogger();
  // Short retry waits, so a test that makes its receiver fail goes on quickly.
  const notifier = new WebhookNotifier({ url: receiver.url, secret, initialBackoffMs: 20, maxBackoffMs: 1000, ...options }, log);
  const source = new Subject<ChangeBatchEvent>();
  notifier.attach(source);
  cleanup.push(() => receiver.close(), () => notifier.close());
  return { receiver, notifier, source, lines };
}

describe('WebhookNotifier delivery', () => {
  it('POSTs every batch in revision order, signed, with the batch as JSON', async () => {
    const { receiver, notifier, source } = await setup();
    for (let revision = 1; revision <= 5; revision += 1) source.next(batch(revision));
    await waitFor(() => notifier.stats().delivered === 5 || notYet(notifier.stats()), '5 batches delivered');

    expect(receiver.accepted()).toEqual([1, 2, 3, 4, 5]);
    for (const [i, request] of receiver.requests.entries()) {
      expect(request.verification).toEqual({ ok: true });
      expect(request.body).toBe(webhookBody(batch(i + 1)));
      expect(request.headers).toMatchObject({
        'content-type': 'application/json',
        'user-agent': 'live-instruments-webhook',
        'x-instruments-revision': String(i + 1),
        'x-instruments-timestamp': expect.stringMatching(/^\d{10}$/),
        'x-instruments-signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
      });
      expect(request.headers.authorization).toBeUndefined();
    }
    expect(JSON.parse(receiver.requests[2]!.body)).toMatchObject({
      revision: 3,
      ccxtExchange: 'binanceusdm',
      changes: [{ changeType: 'CHANGE_TYPE_REMOVED', removalReason: 'REMOVAL_REASON_EXPIRED' }],
    });
    expect(notifier.stats()).toEqual({ delivered: 5, failedAttempts: 0, dropped: 0, queued: 0 });
  });

  it('retries the same batch after 500s with growing delays, losing and duplicating nothing', async () => {
    const { receiver, notifier, source, lines } = await setup({ initialBackoffMs: 40 });
    receiver.answer = (index) => ({ status: index <= 2 ? 500 : 200 });
    source.next(batch(1));
    source.next(batch(2));
    await waitFor(() => notifier.stats().delivered === 2 || notYet(notifier.stats()), 'both batches delivered');

    const revisions = receiver.requests.map((r) => Number(r.headers['x-instruments-revision']));
    expect(revisions).toEqual([1, 1, 1, 2]);
    expect(receiver.accepted()).toEqual([1, 2]);
    expect(receiver.requests.every((r) => r.verification.ok)).toBe(true);
    const warnings = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['level'] === 40);
    expect(warnings.map((w) => [w['revision'], w['attempt'], w['reason']])).toEqual([[1, 1, 'HTTP 500'], [1, 2, 'HTTP 500']]);
    // 40 ms then 80 ms, ±20% jitter (32–48, then 64–96): the second wait is always the longer,
    // and each is kept. Lower bounds only: a slow machine makes the gaps longer, never shorter.
    const waits = warnings.map((w) => w['retryInMs'] as number);
    expect(waits[0]).toBeGreaterThanOrEqual(32);
    expect(waits[1]).toBeGreaterThan(waits[0]!);
    const arrivals = receiver.requests.map((r) => r.arrivedAt);
    expect(arrivals[1]! - arrivals[0]!).toBeGreaterThanOrEqual(waits[0]!);
    expect(arrivals[2]! - arrivals[1]!).toBeGreaterThanOrEqual(waits[1]!);
    expect(notifier.stats()).toEqual({ delivered: 2, failedAttempts: 2, dropped: 0, queued: 0 });
  });

  it('waits at least Retry-After after a 429 and re-signs the retry', async () => {
    const { receiver, notifier, source, lines } = await setup();
    receiver.answer = (index) => (index === 1 ? { status: 429, headers: { 'Retry-After': '1' } } : { status: 200 });
    source.next(batch(1));
    await waitFor(() => notifier.stats().delivered === 1 || notYet(notifier.stats()), 'the retried batch delivered');

    const [limited, retried] = receiver.requests;
    expect(lines.some((l) => l.includes('"reason":"HTTP 429","retryInMs":1000'))).toBe(true);
    // Retry-After: 1 (second) is the lower bound under test; load only lengthens the gap.
    expect(retried!.arrivedAt - limited!.arrivedAt).toBeGreaterThanOrEqual(1000);
    expect(retried!.verification).toEqual({ ok: true });
    expect(Number(retried!.headers['x-instruments-timestamp'])).toBeGreaterThan(Number(limited!.headers['x-instruments-timestamp']));
    expect(retried!.headers['x-instruments-signature']).not.toBe(limited!.headers['x-instruments-signature']);
    expect(notifier.stats()).toMatchObject({ delivered: 1, failedAttempts: 1 });
  });

  it('gives up on an unanswered request after timeoutMs and retries it', async () => {
    // The timeout under test; the receiver never answers the first request, so it always fires.
    const { receiver, notifier, source, lines } = await setup({ timeoutMs: 100 });
    receiver.answer = (index) => (index === 1 ? 'hang' : { status: 200 });
    source.next(batch(1));
    await waitFor(() => notifier.stats().delivered === 1 || notYet(notifier.stats()), 'the batch delivered after the timeout');

    expect(receiver.requests).toHaveLength(2);
    await waitFor(() => receiver.aborted === 1, 'the receiver to see the first request aborted');
    expect(notifier.stats()).toMatchObject({ delivered: 1, failedAttempts: 1 });
    expect(lines.some((l) => l.includes('"reason":"no answer within 100 ms"'))).toBe(true);
  });

  it('treats a redirect as a failed attempt: signed batches go only to the configured URL', async () => {
    const { receiver, notifier, source, lines } = await setup();
    receiver.answer = (index) => (index === 1 ? { status: 307, headers: { Location: '/elsewhere' } } : { status: 200 });
    source.next(batch(1));
    await waitFor(() => notifier.stats().delivered === 1 || notYet(notifier.stats()), 'the batch delivered after the redirect');

    expect(receiver.requests.map((r) => r.path)).toEqual(['/hooks/instruments', '/hooks/instruments']);
    expect(notifier.stats()).toMatchObject({ delivered: 1, failedAttempts: 1 });
    expect(lines.some((l) => l.includes('"reason":"HTTP 307"'))).toBe(true);
  });
});
