import { ChangeType, RemovalReason } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from '../../../src/domain/change-batch.js';
import { perpetual } from '../../support/definitions.js';

/** A batch of `size` ADDED changes, enough for journal bookkeeping tests. */
export function addedBatch(revision: number, size = 1, ccxtExchange = 'testex'): ChangeBatchEvent {
  return {
    revision,
    appliedAt: new Date(Date.UTC(2026, 0, 1) + revision * 1000),
    ccxtExchange,
    changes: Array.from({ length: size }, (_, i) => ({
      changeType: ChangeType.CHANGE_TYPE_ADDED,
      instrumentKey: perpetual(`R${revision}X${i}`).instrumentKey,
      instrument: perpetual(`R${revision}X${i}`, { ccxtExchange }),
      previous: undefined,
      changedFields: [],
      removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED,
    })),
  };
}
