import type { RefreshEvent } from '../../app/refresh-event.js';
import type { ChangeSummary } from './change-summary.js';
import type { RefreshPoint } from './dashboard-status.js';
import { RingBuffer } from './ring-buffer.js';

export interface HistoryLimits {
  changeBatches: number;
  refreshesPerExchange: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { changeBatches: 100, refreshesPerExchange: 60 };

/** The recent past the dashboard shows, in fixed-size rings: memory stays flat however long it runs. */
export class DashboardHistory {
  private readonly changes: RingBuffer<ChangeSummary>;
  private readonly refreshes = new Map<string, RingBuffer<RefreshPoint>>();

  constructor(private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS) {
    this.changes = new RingBuffer(limits.changeBatches);
  }

  addChange(summary: ChangeSummary): void {
    this.changes.push(summary);
  }

  addRefresh(event: RefreshEvent): void {
    let ring = this.refreshes.get(event.exchange);
    if (ring === undefined) {
      ring = new RingBuffer(this.limits.refreshesPerExchange);
      this.refreshes.set(event.exchange, ring);
    }
    ring.push({ at: event.at.toISOString(), durationMs: event.durationMs, outcome: event.outcome, changes: event.changes });
  }

  /** Newest first. */
  recentChanges(): ChangeSummary[] {
    return this.changes.toArray().reverse();
  }

  /** Per exchange, oldest first. */
  refreshPoints(): Record<string, RefreshPoint[]> {
    return Object.fromEntries([...this.refreshes].map(([id, ring]) => [id, ring.toArray()]));
  }
}
