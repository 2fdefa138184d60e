import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Subscription, type Observable } from 'rxjs';
import { backoffDelay, parseRetryAfter } from '../../domain/backoff.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import { webhookBody } from '../../domain/webhook-payload.js';
import { signWebhook } from '../../domain/webhook-signature.js';
import { webhookSettings, type WebhookNotifierOptions, type WebhookSettings } from './webhook-options.js';
import { webhookTarget } from './webhook-target.js';

export type { WebhookNotifierOptions } from './webhook-options.js';

export interface WebhookStats {
  delivered: number;
  failedAttempts: number;
  dropped: number;
  /** Batches not yet delivered, the one being delivered included. */
  queued: number;
}

type Post = (revision: number, body: string, signal: AbortSignal) => Promise<Response>;
type Attempt = { ok: true } | { ok: false; reason: string; retryAfterMs: number | undefined };

// Node fires longer timers at once (with a warning), so a far-off Retry-After is capped here.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * POSTs every change batch to one receiver, signed, in revision order and one at a time. A
 * failed batch is retried (the same batch, re-signed) until it is delivered; meanwhile new
 * batches only queue, so the source is never slowed. Past `maxQueuedBatches` the oldest is
 * dropped: the receiver sees the gap in revisions and re-syncs through ListInstruments.
 */
export class WebhookNotifier {
  private readonly settings: WebhookSettings;
  private readonly post: Post;
  private readonly log: Logger;
  private readonly queue: ChangeBatchEvent[] = [];
  private readonly counts = { delivered: 0, failedAttempts: 0, dropped: 0 };
  private readonly sources = new Subscription();
  /** The head batch while it is being delivered; aborting ends its request or retry wait. */
  private current: { batch: ChangeBatchEvent; abort: AbortController } | undefined;
  private draining: Promise<void> | undefined;
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(options: WebhookNotifierOptions, log: Logger) {
    this.settings = webhookSettings(options);
    const target = webhookTarget(options.url);
    const { secret } = options;
    const fetchImpl = options.fetch ?? fetch;
    // The secret and the full URL stay in this closure, not in fields, so logging or inspecting
    // the notifier cannot reveal them.
    this.post = (revision, body, signal) => {
      const timestamp = Math.floor(Date.now() / 1000);
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'User-Agent': 'live-instruments-webhook',
        'X-Instruments-Timestamp': String(timestamp),
        'X-Instruments-Signature': signWebhook(secret, timestamp, body),
        'X-Instruments-Revision': String(revision),
      };
      if (target.authorization !== undefined) headers['Authorization'] = target.authorization;
      // A redirect is a failed attempt: signed batches go only to the configured URL.
      return fetchImpl(target.requestUrl, { method: 'POST', headers, body, signal, redirect: 'manual' });
    };
    this.log = log.child({ component: 'webhook', url: target.logUrl });
  }

  /** Queues every batch `batches` emits; the subscriber does nothing else. */
  attach(batches: Observable<ChangeBatchEvent>): Subscription {
    if (this.closed) throw new Error('webhook notifier is closed');
    const subscription = batches.subscribe({
      next: (batch) => this.enqueue(batch),
      error: (error: unknown) => this.log.error({ reason: describeError(error) }, 'change batch source failed; no more batches will be sent'),
    });
    this.sources.add(subscription);
    subscription.add(() => this.sources.remove(subscription));
    return subscription;
  }

  stats(): WebhookStats {
    return { ...this.counts, queued: this.queue.length };
  }

  /** Stops taking batches and abandons the current request or retry wait; queued batches are not sent. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    this.closed = true;
    this.sources.unsubscribe();
    this.current?.abort.abort();
    await this.draining;
    this.log.info({ ...this.stats() }, 'webhook notifier closed');
  }

  private enqueue(batch: ChangeBatchEvent): void {
    this.queue.push(batch);
    if (this.queue.length > this.settings.maxQueuedBatches) this.dropOldest();
    // Started on a microtask so that even the first request is not built inside the source's emit.
    this.draining ??= Promise.resolve().then(() => this.drain());
  }

  private dropOldest(): void {
    const dropped = this.queue.shift();
    if (dropped === undefined) return;
    this.counts.dropped += 1;
    if (this.current?.batch === dropped) this.current.abort.abort();
    this.log.warn(
      { revision: dropped.revision, ccxtExchange: dropped.ccxtExchange, maxQueuedBatches: this.settings.maxQueuedBatches, dropped: this.counts.dropped },
      'webhook queue full: dropped the oldest undelivered batch; the receiver can re-sync through ListInstruments',
    );
  }

  private async drain(): Promise<void> {
    for (let batch = this.queue[0]; batch !== undefined && !this.closed; batch = this.queue[0]) {
      const abort = new AbortController();
      this.current = { batch, abort };
      try {
        await this.deliver(batch, abort.signal);
      } catch (error) {
        // Only building the body can throw (e.g. an invalid Date); retrying would not help.
        if (this.queue[0] === batch) this.queue.shift();
        this.counts.dropped += 1;
        this.log.error({ revision: batch.revision, reason: describeError(error) }, 'webhook batch could not be encoded; dropped');
      }
    }
    this.current = undefined;
    this.draining = undefined;
  }

  /** Returns once `batch` is delivered (and dequeued), dropped or the notifier closes. */
  private async deliver(batch: ChangeBatchEvent, signal: AbortSignal): Promise<void> {
    const body = webhookBody(batch);
    for (let attempt = 1; ; attempt += 1) {
      const outcome = await this.attempt(batch.revision, body, signal);
      if (signal.aborted) return;
      if (outcome.ok) {
        this.queue.shift();
        this.counts.delivered += 1;
        this.log[attempt > 1 ? 'info' : 'debug']({ revision: batch.revision, attempts: attempt }, 'webhook delivered');
        return;
      }
      this.counts.failedAttempts += 1;
      const delayMs = Math.min(Math.max(backoffDelay(attempt, this.settings.backoff), outcome.retryAfterMs ?? 0), MAX_TIMER_MS);
      this.log.warn(
        { revision: batch.revision, attempt, reason: outcome.reason, retryInMs: delayMs, queued: this.queue.length },
        'webhook delivery failed; retrying the same batch',
      );
      try {
        await sleep(delayMs, undefined, { signal });
      } catch {
        return; // aborted: dropped or closing
      }
    }
  }

  private async attempt(revision: number, body: string, batchSignal: AbortSignal): Promise<Attempt> {
    const abort = new AbortController();
    const onAbort = (): void => abort.abort();
    batchSignal.addEventListener('abort', onAbort);
    const timer = setTimeout(onAbort, this.settings.timeoutMs);
    try {
      const response = await this.post(revision, body, abort.signal);
      await response.body?.cancel(); // the answer's body is not used; free the connection
      if (response.ok) return { ok: true };
      const retryAfter = response.status === 429 || response.status === 503 ? response.headers.get('retry-after') : null;
      return { ok: false, reason: `HTTP ${response.status}`, retryAfterMs: retryAfter === null ? undefined : parseRetryAfter(retryAfter, Date.now()) };
    } catch (error) {
      const timedOut = abort.signal.aborted && !batchSignal.aborted;
      return { ok: false, reason: timedOut ? `no answer within ${this.settings.timeoutMs} ms` : describeError(error), retryAfterMs: undefined };
    } finally {
      clearTimeout(timer);
      batchSignal.removeEventListener('abort', onAbort);
    }
  }
}

// fetch rejects with "fetch failed"; the cause (e.g. ECONNREFUSED) is what an operator needs.
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause: unknown = error.cause;
  if (!(cause instanceof Error)) return error.message;
  const code = (cause as NodeJS.ErrnoException).code;
  return `${error.message}: ${code === undefined ? cause.message : `${code} ${cause.message}`}`;
}
