import { Counter, Gauge, type Registry } from 'prom-client';
import type { WebhookStats } from '../webhook/webhook-notifier.js';

export interface WebhookStatsSource {
  stats(): WebhookStats;
}

/**
 * Webhook delivery, read from the notifier's counts at scrape time. Registered even without a
 * webhook (no delivery series then, an empty queue), so the exposition always describes the same
 * metrics. The URL is never a label: its query string may carry a token.
 */
export function webhookMetrics(registry: Registry, webhook: WebhookStatsSource | undefined): void {
  const registers = [registry];
  new Counter({
    name: 'instruments_webhook_deliveries_total',
    help: 'Webhook POST outcomes: delivered (a batch acknowledged), failed (an attempt that failed and will be retried), dropped (a batch given up: queue full or not encodable).',
    labelNames: ['outcome'] as const,
    registers,
    collect() {
      if (webhook === undefined) return;
      const { delivered, failedAttempts, dropped } = webhook.stats();
      this.reset();
      this.inc({ outcome: 'delivered' }, delivered);
      this.inc({ outcome: 'failed' }, failedAttempts);
      this.inc({ outcome: 'dropped' }, dropped);
    },
  });
  new Gauge({
    name: 'instruments_webhook_queued_batches',
    help: 'Change batches waiting for webhook delivery, the one being delivered included.',
    registers,
    collect() {
      if (webhook !== undefined) this.set(webhook.stats().queued);
    },
  });
}
