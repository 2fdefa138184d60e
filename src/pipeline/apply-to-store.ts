import { map, type OperatorFunction } from 'rxjs';
import type { LoadedDefinitions } from '../adapters/ccxt/load-definitions.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';
import type { InstrumentStore } from '../store/instrument-store.js';

export interface AppliedLoad {
  loaded: LoadedDefinitions;
  /** The batch the load made; undefined when nothing visible changed. */
  batch: ChangeBatchEvent | undefined;
}

/**
 * Diff and apply: each fresh load of one exchange is compared with what the store serves and the
 * difference applied under one revision. The store publishes the batch to watchers itself, in the
 * same tick, so this stage hands on only what the caller needs for status and logs.
 */
export function applyToStore(store: InstrumentStore, ccxtExchange: string): OperatorFunction<LoadedDefinitions, AppliedLoad> {
  return map((loaded) => ({ loaded, batch: store.applyExchange(ccxtExchange, loaded.definitions, loaded.receivedAt) }));
}

export interface AppliedClock {
  /** The time the clock rule was applied at. */
  clockAt: Date;
  batch: ChangeBatchEvent | undefined;
}

/** The clock's ticks applied like loads: what expired by then changes, published by the store. */
export function applyClockToStore(store: InstrumentStore, ccxtExchange: string): OperatorFunction<Date, AppliedClock> {
  return map((clockAt) => ({ clockAt, batch: store.applyClock(ccxtExchange, clockAt) }));
}
