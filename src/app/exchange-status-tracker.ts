import { ExchangeState, type ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import { describeError } from '../domain/describe-error.js';
import { venuesOfExchange } from '../domain/venues.js';

/** Whole seconds since the last successful refresh; 0 before the first. */
export function stalenessSeconds(lastSuccess: Date | undefined, now: Date = new Date()): number {
  return lastSuccess === undefined ? 0 : Math.max(0, Math.floor((now.getTime() - lastSuccess.getTime()) / 1000));
}

/** What GetStatus reports for one exchange, kept current by its refresh pipeline. */
export class ExchangeStatusTracker {
  private readonly state: ExchangeStatus;

  /** `redact` scrubs secrets from error text: exchanges echo keys in error bodies, and status is served. */
  constructor(ccxtExchange: string, private readonly redact: (text: string) => string = (text) => text) {
    this.state = {
      ccxtExchange, state: ExchangeState.EXCHANGE_STATE_LOADING, instrumentCount: 0, lastSuccessTime: undefined,
      lastAttemptTime: undefined, lastError: '', consecutiveFailures: 0, nextAttemptTime: undefined, venues: venuesOfExchange(ccxtExchange),
      stalenessSeconds: 0, heldRefreshes: 0, heldReason: '', rejectedMarkets: {}, servingSnapshot: false, polledBy: '',
    };
  }

  snapshot(now: Date = new Date()): ExchangeStatus {
    const last = this.state.lastSuccessTime;
    return {
      ...this.state, venues: [...this.state.venues], rejectedMarkets: { ...this.state.rejectedMarkets },
      stalenessSeconds: stalenessSeconds(last, now),
    };
  }

  attempt(at: Date): void {
    this.state.lastAttemptTime = at;
    this.state.nextAttemptTime = undefined;
  }

  succeeded(at: Date, instrumentCount: number, nextAttempt: Date): void {
    Object.assign(this.state, {
      state: ExchangeState.EXCHANGE_STATE_READY, instrumentCount, lastSuccessTime: at, lastError: '', consecutiveFailures: 0,
      nextAttemptTime: nextAttempt, heldReason: '', servingSnapshot: false,
    });
  }

  /** A failed load: what was loaded before stays served, so the count is left as it was. */
  failed(error: unknown, nextAttempt: Date): void {
    Object.assign(this.state, {
      state: ExchangeState.EXCHANGE_STATE_FAILED, lastError: this.redact(describeError(error)),
      consecutiveFailures: this.state.consecutiveFailures + 1, nextAttemptTime: nextAttempt,
    });
  }

  /** A refresh held as suspect: not applied, counted, its reason shown until the next applied one. */
  held(reason: string): void {
    this.state.heldRefreshes += 1;
    this.state.heldReason = reason;
  }

  rejected(reasons: readonly string[]): void {
    for (const reason of reasons) this.state.rejectedMarkets[reason] = (this.state.rejectedMarkets[reason] ?? 0) + 1;
  }

  /** Instruments were restored from the last-known-good snapshot and wait for a first refresh. */
  servingSnapshot(count: number): void {
    this.state.servingSnapshot = count > 0;
    this.state.instrumentCount = count;
  }

  get failures(): number {
    return this.state.consecutiveFailures;
  }
}
