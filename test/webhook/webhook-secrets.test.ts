import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { Subject } from 'rxjs';
import { afterEach, describe, expect, it } from 'vitest';
import { WebhookNotifier } from '../../src/adapters/webhook/webhook-notifier.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { batch } from './support/batches.js';
import { capturedLogger } from './support/captured-logger.js';
import { notYet, waitFor } from '../support/wait-for.js';
import { Receiver } from './support/receiver.js';

const secret = 'whsec_SECRET_never_in_logs_7f3a';
const cleanup: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

/** A URL on a port nothing listens on: connections are refused. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}/hooks`;
}

function withCredentials(url: string): string {
  const parsed = new URL(url);
  parsed.username = 'hookuser';
  parsed.password = 'hookpass_PRIVATE';
  parsed.search = '?token=tok_PRIVATE';
  return parsed.href;
}

describe('WebhookNotifier secrets', () => {
  it('keeps the secret and URL credentials out of every log line, stats and inspection', async () => {
    const receiver = await Receiver.start(secret);
    const { log, lines } = capturedLogger();
    // Short retry waits and a short request timeout, so every failure path is taken quickly (the
    // receiver never answers the request that is to time out).
    const options = { secret, initialBackoffMs: 20, maxBackoffMs: 100, timeoutMs: 100, maxQueuedBatches: 2 };
    const notifier = new WebhookNotifier({ ...options, url: withCredentials(receiver.url) }, log);
    const unreachable = new WebhookNotifier({ ...options, url: withCredentials(await refusedUrl()) }, log);
    cleanup.push(() => receiver.close(), () => notifier.close(), () => unreachable.close());

    // Every failure path: 500, 429 with Retry-After, a timeout, refused connections, a drop.
    const answers = [{ status: 500 }, { status: 429, headers: { 'Retry-After': '0' } }, 'hang' as const];
    receiver.answer = (index) => answers[index - 1] ?? { status: 200 };
    const source = new Subject<ChangeBatchEvent>();
    notifier.attach(source);
    unreachable.attach(source);
    for (let revision = 1; revision <= 3; revision += 1) source.next(batch(revision));
    await waitFor(() => receiver.accepted().length === 2 || notYet(receiver.requests.map((r) => r.status)), 'both kept batches accepted');
    await waitFor(() => unreachable.stats().failedAttempts >= 2 || notYet(unreachable.stats()), 'two refused attempts');
    await notifier.close();
    await unreachable.close();

    expect(receiver.requests[0]!.headers.authorization).toBe(`Basic ${Buffer.from('hookuser:hookpass_PRIVATE').toString('base64')}`);
    expect(receiver.requests[0]!.verification.ok).toBe(true);
    const text = lines.join('');
    for (const line of lines) {
      expect(line).not.toContain(secret);
      expect(line).not.toContain('hookpass_PRIVATE');
      expect(line).not.toContain('tok_PRIVATE');
      expect(line).not.toContain(Buffer.from('hookuser:hookpass_PRIVATE').toString('base64'));
    }
    expect(text).toContain(`"url":"${receiver.url}"`);
    expect(text).toContain('ECONNREFUSED');
    expect(text).toContain('no answer within 100 ms');
    expect(text).toContain('webhook queue full');
    for (const value of [notifier, unreachable, notifier.stats(), unreachable.stats()]) {
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(secret);
      expect(JSON.stringify(value)).not.toContain(secret);
    }
  });
});
