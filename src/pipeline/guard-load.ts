import { defer, filter, map, type MonoTypeOperatorFunction } from 'rxjs';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { LoadedDefinitions } from '../adapters/ccxt/load-definitions.js';
import {
  guardRefresh,
  type ApplyVerdict,
  type GuardPolicy,
  type HeldRefresh,
  type RejectedMarket,
} from '../domain/refresh-guard.js';
import { keptForMalformed } from '../domain/keep-malformed.js';

export interface GuardLoadOptions {
  policy: GuardPolicy;
  /** What the exchange provides now, read at each load (the store's definitions from this exchange). */
  previous: () => ReadonlyMap<string, InstrumentDefinition>;
  /** A load was held back (not applied), with the markets it rejected. */
  onHold?: (held: HeldRefresh, rejected: RejectedMarket[]) => void;
  /** A load passes on to be applied; `confirmedHold` is set when it confirmed a held one. */
  onApply?: (verdict: ApplyVerdict) => void;
}

/**
 * Between "a load arrived" and "apply it": passes on loads the refresh guard accepts, with its
 * definitions (bad markets, and known ones this response could not convert, keep their previous
 * definition) and its rejects added to `rejected`,
 * and swallows held ones. The held refresh is state of one subscription, i.e. one exchange's
 * pipeline; `receivedAt` is the guard's clock, so a hold is dated by the response it holds.
 */
export function guardLoad(options: GuardLoadOptions): MonoTypeOperatorFunction<LoadedDefinitions> {
  const { policy, previous, onHold, onApply } = options;
  return (source) => defer(() => {
    let held: HeldRefresh | undefined;
    return source.pipe(
      map((loaded): LoadedDefinitions | undefined => {
        const known = previous();
        const next = [...loaded.definitions, ...keptForMalformed(known, loaded.rejected)];
        const verdict = guardRefresh({ previous: known, next, held, now: loaded.receivedAt }, policy);
        if (verdict.action === 'hold') {
          held = verdict.held;
          onHold?.(verdict.held, verdict.rejected);
          return undefined;
        }
        held = undefined;
        onApply?.(verdict);
        const rejected = verdict.rejected.map(({ instrumentKey, reason }) => ({ symbol: instrumentKey, reason }));
        // Spread, not rebuild: the load may carry more (a pooled load's durationMs).
        return { ...loaded, definitions: verdict.definitions, rejected: [...loaded.rejected, ...rejected] };
      }),
      filter((loaded): loaded is LoadedDefinitions => loaded !== undefined),
    );
  });
}
