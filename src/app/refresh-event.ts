/** How one refresh attempt of one exchange ended. */
export type RefreshOutcome = 'applied' | 'unchanged' | 'held' | 'failed';

/** One refresh attempt, for metrics, the dashboard's chart and its feed. */
export interface RefreshEvent {
  exchange: string;
  outcome: RefreshOutcome;
  at: Date;
  durationMs: number;
  /** Instruments the exchange has in the store after the attempt. */
  instruments: number;
  /** Changes applied (0 unless outcome is `applied`). */
  changes: number;
  /** Why it failed or was held. */
  reason?: string;
}
