import { exhaustMap, type ObservableInput, type OperatorFunction } from 'rxjs';

/**
 * Runs `load` for a tick unless the previous load is still running: ticks that arrive while a
 * load (with its retries, when they are part of what `load` returns) is in flight are dropped,
 * not queued (exhaustMap). One exchange is never loaded twice at once, and a slow or failing
 * exchange does not pile up a backlog of refreshes; the next tick after it settles loads again.
 */
export function loadExclusively<T, R>(load: (tick: T) => ObservableInput<R>): OperatorFunction<T, R> {
  return exhaustMap((tick: T) => load(tick));
}
