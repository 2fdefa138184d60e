import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import type { SharedLog } from '../../adapters/redis/shared-log.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import type { InstrumentStore, PreparedDelta } from '../../store/instrument-store.js';
import type { LeaseKeeper } from './lease-keeper.js';
import type { LogFollower } from './log-follower.js';

/** A poller's load could not be written to the shared log; nothing of it was applied anywhere. */
export class CommitRefused extends Error {
  override name = 'CommitRefused';
}

const MAX_ATTEMPTS = 5;

/**
 * Redis mode's way of applying a load: prepare the delta against the state this replica has
 * applied, commit it to the shared log (fenced by the lease, refused if the log moved on), then
 * wait until this replica's follower applied it, so the next load is prepared on top of it. When
 * another exchange's entry got in first, catch up and prepare again. Resolves with the batch, or
 * undefined when nothing visible changed.
 */
export function logCommitter(store: InstrumentStore, log: SharedLog, follower: LogFollower, leases: LeaseKeeper, waitMs: number) {
  const commitDelta = deltaCommitter(log, follower, leases, waitMs);
  return async (exchange: string, definitions: readonly InstrumentDefinition[], receivedAt: Date): Promise<ChangeBatchEvent | undefined> =>
    commitDelta(exchange, () => store.prepareExchange(exchange, definitions, receivedAt), () => store.rememberInputs(exchange, definitions));
}

/**
 * The clock's ticks in Redis mode (see status-at.ts): only the poller of an exchange commits what
 * expired, like a load and fenced by the same lease; every replica, this one included, applies
 * it from the log.
 */
export function clockCommitter(store: InstrumentStore, log: SharedLog, follower: LogFollower, leases: LeaseKeeper, waitMs: number) {
  const commitDelta = deltaCommitter(log, follower, leases, waitMs);
  return async (exchange: string, now: Date): Promise<ChangeBatchEvent | undefined> =>
    commitDelta(exchange, () => store.prepareClock(exchange, now), () => undefined);
}

function deltaCommitter(log: SharedLog, follower: LogFollower, leases: LeaseKeeper, waitMs: number) {
  return async (exchange: string, prepare: () => PreparedDelta | undefined, committed: () => void): Promise<ChangeBatchEvent | undefined> => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const lease = leases.leaseOf(exchange);
      if (lease === undefined) throw new CommitRefused(`this replica no longer polls ${exchange}: another replica holds its lease`);
      const base = follower.appliedSeq;
      const delta = prepare();
      if (delta === undefined) {
        committed();
        return undefined;
      }
      const result = await log.commit(delta, base, lease);
      if (result.ok) {
        const applied = await follower.waitFor(result.seq, waitMs);
        if (follower.appliedSeq < result.seq) throw new CommitRefused(`committed as revision ${result.revision} but not read back within ${waitMs} ms; it is applied when this replica reads the log again`);
        committed();
        return applied;
      }
      if (result.reason === 'lease') throw new CommitRefused(`lease on ${exchange} lost (${result.holder === '' ? 'expired' : `held by ${result.holder}`}): the load was not applied`);
      await follower.waitFor(result.seq, waitMs);
    }
    throw new CommitRefused(`the change log kept moving on: ${MAX_ATTEMPTS} attempts to commit ${exchange} were each behind`);
  };
}
