import type { Subscription } from 'rxjs';
import { summarizeBatch, DEFAULT_CHANGES_PER_BATCH } from './change-summary.js';
import { DashboardHistory, DEFAULT_HISTORY_LIMITS, type HistoryLimits } from './dashboard-history.js';
import { statusOverview, type DashboardSources, type StatusSnapshot } from './dashboard-status.js';
import { EventStreamHub, formatEvent, type EventStreamLimits } from './event-stream.js';

export interface LiveFeedLimits extends HistoryLimits, EventStreamLimits {
  changesPerBatch: number;
  /** At most one `status` event per this interval, and only when something changed. */
  statusIntervalMs: number;
}

export const DEFAULT_LIVE_FEED_LIMITS: LiveFeedLimits = {
  ...DEFAULT_HISTORY_LIMITS,
  maxBufferedBytes: 1024 * 1024,
  heartbeatMs: 15_000,
  changesPerBatch: DEFAULT_CHANGES_PER_BATCH,
  statusIntervalMs: 2000,
};

/**
 * Records refreshes and change batches from the moment the server starts (so /api/status has a
 * history) and pushes them to the /api/events clients: every batch and refresh as it happens,
 * the exchanges' status throttled.
 */
export class LiveFeed {
  readonly hub: EventStreamHub;
  private readonly history: DashboardHistory;
  private readonly subscriptions: Subscription[];
  private readonly timer: NodeJS.Timeout;
  private dirty = false;
  /** Health per exchange as last sent: time alone can turn an exchange stale. */
  private sentHealth = '';

  constructor(private readonly sources: DashboardSources, private readonly limits: LiveFeedLimits = DEFAULT_LIVE_FEED_LIMITS) {
    this.hub = new EventStreamHub(limits);
    this.history = new DashboardHistory(limits);
    this.subscriptions = [
      sources.changes$.subscribe((batch) => {
        const summary = summarizeBatch(batch, limits.changesPerBatch);
        this.history.addChange(summary);
        this.hub.broadcast('change', summary);
        this.dirty = true;
      }),
      sources.refreshes$.subscribe((event) => {
        this.history.addRefresh(event);
        this.hub.broadcast('refresh', event);
        this.dirty = true;
      }),
    ];
    this.timer = setInterval(() => this.sendStatus(), limits.statusIntervalMs);
    this.timer.unref();
  }

  snapshot(): StatusSnapshot {
    return { ...statusOverview(this.sources), refreshes: this.history.refreshPoints(), recentChanges: this.history.recentChanges() };
  }

  /** First event of a connection: the whole state, so a (re)connecting page starts complete. */
  initialEvents(): string {
    return formatEvent('status', this.snapshot());
  }

  close(): void {
    clearInterval(this.timer);
    for (const s of this.subscriptions) s.unsubscribe();
    this.hub.close();
  }

  private sendStatus(): void {
    if (this.hub.size === 0) return;
    const overview = statusOverview(this.sources);
    const health = overview.exchanges.map((e) => `${e.id}=${e.health}`).join(',');
    if (!this.dirty && health === this.sentHealth) return;
    this.dirty = false;
    this.sentHealth = health;
    this.hub.broadcast('status', overview);
  }
}
