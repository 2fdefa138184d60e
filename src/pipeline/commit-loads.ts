import { catchError, concatMap, defer, EMPTY, map, type ObservableInput, type OperatorFunction } from 'rxjs';
import type { LoadedDefinitions } from '../adapters/ccxt/load-definitions.js';
import type { ChangeBatchEvent } from '../domain/change-batch.js';

/**
 * Redis mode's apply stage: each load is committed to the shared log (asynchronously, one at a
 * time, in order) instead of applied to this replica's store directly. A refused commit (lease
 * lost, Redis away) drops that load and only reports it: the exchange's instruments stay as they
 * were, and the next refresh diffs against them again, so nothing is lost. Generic so that the
 * clock's ticks go through the same queue as loads (one commit at a time per exchange).
 */
export function commitLoads<T = LoadedDefinitions>(
  commit: (loaded: T) => ObservableInput<ChangeBatchEvent | undefined>,
  onRefused: (error: unknown, loaded: T) => void,
): OperatorFunction<T, { loaded: T; batch: ChangeBatchEvent | undefined }> {
  return concatMap((loaded) => defer(() => commit(loaded)).pipe(
    map((batch) => ({ loaded, batch })),
    catchError((error: unknown) => {
      onRefused(error, loaded);
      return EMPTY;
    }),
  ));
}
