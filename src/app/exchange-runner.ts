import type { Exchange } from 'ccxt';
import type { Logger } from 'pino';
import { defer, repeat, retry, timer, type Subscription } from 'rxjs';
import { ExchangeState, type ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import { loadDefinitions } from '../adapters/ccxt/load-definitions.js';
import { venuesOfExchange } from '../domain/venues.js';
import type { InstrumentStore } from '../store/instrument-store.js';
import { backoffDelay, type BackoffSettings } from '../domain/backoff.js';

export interface RunnerSettings {
  refreshIntervalMs: number;
  retry: BackoffSettings;
}

function describeError(error: unknown): string {
  // One line: exchange error bodies carry newlines that would break log lines and status messages.
  const text = (error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error)).replace(/\s+/g, ' ').trim();
  return text.length > 500 ? `${text.slice(0, 500)}…` : text;
}

/**
 * Keeps one exchange loaded: first load, retries with backoff while it fails (what was loaded
 * before stays served), then a reload every refresh interval. Never throws: a failing exchange
 * only changes its own status.
 */
export class ExchangeRunner {
  private readonly state: ExchangeStatus;
  private subscription: Subscription | undefined;

  constructor(
    private readonly exchange: Exchange,
    private readonly store: InstrumentStore,
    private readonly settings: RunnerSettings,
    private readonly log: Logger,
  ) {
    this.state = {
      ccxtExchange: exchange.id, state: ExchangeState.EXCHANGE_STATE_LOADING, instrumentCount: 0,
      lastSuccessTime: undefined, lastAttemptTime: undefined, lastError: '', consecutiveFailures: 0,
      nextAttemptTime: undefined, venues: venuesOfExchange(exchange.id),
    };
  }

  get id(): string {
    return this.exchange.id;
  }

  status(): ExchangeStatus {
    return { ...this.state, venues: [...this.state.venues] };
  }

  start(): void {
    this.subscription = defer(() => this.loadOnce())
      .pipe(
        retry({
          resetOnSuccess: true,
          delay: (error: unknown, attempt: number) => {
            const delayMs = backoffDelay(attempt, this.settings.retry);
            this.recordFailure(error, delayMs);
            return timer(delayMs);
          },
        }),
        repeat({ delay: () => timer(this.settings.refreshIntervalMs) }),
      )
      .subscribe();
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.subscription = undefined;
  }

  private async loadOnce(): Promise<void> {
    const started = Date.now();
    this.state.lastAttemptTime = new Date(started);
    this.state.nextAttemptTime = undefined;
    const loaded = await loadDefinitions(this.exchange, this.state.lastSuccessTime !== undefined);
    const batch = this.store.applyExchange(this.exchange.id, loaded.definitions, loaded.receivedAt);
    const applied = { count: this.store.countFor(this.exchange.id), revision: this.store.revision, changes: batch?.changes.length ?? 0 };
    Object.assign(this.state, {
      state: ExchangeState.EXCHANGE_STATE_READY, instrumentCount: applied.count, lastSuccessTime: loaded.receivedAt,
      lastError: '', consecutiveFailures: 0, nextAttemptTime: new Date(Date.now() + this.settings.refreshIntervalMs),
    });
    this.log.info({
      exchange: this.exchange.id, instruments: applied.count, rejected: loaded.rejected.length,
      changes: applied.changes, durationMs: Date.now() - started, revision: applied.revision,
    }, 'markets loaded');
    if (loaded.rejected.length > 0) {
      this.log.debug({ exchange: this.exchange.id, rejected: loaded.rejected.slice(0, 20) }, 'markets not converted');
    }
  }

  private recordFailure(error: unknown, delayMs: number): void {
    Object.assign(this.state, {
      state: ExchangeState.EXCHANGE_STATE_FAILED, lastError: describeError(error),
      consecutiveFailures: this.state.consecutiveFailures + 1, nextAttemptTime: new Date(Date.now() + delayMs),
    });
    this.log.warn({
      exchange: this.exchange.id, error: this.state.lastError, consecutiveFailures: this.state.consecutiveFailures,
      retryInMs: delayMs, servingLastKnown: this.state.instrumentCount,
    }, 'exchange unavailable, will retry');
  }
}
