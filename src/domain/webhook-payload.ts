import { InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { ChangeBatchEvent } from './change-batch.js';

/**
 * The JSON body a webhook receiver gets for one change batch. Changes are proto3 JSON (the
 * names grpcurl and `WatchChanges` clients see), so receivers can parse them with the
 * generated `fromJSON` of any language.
 */
export function webhookBody(batch: ChangeBatchEvent): string {
  return JSON.stringify({
    revision: batch.revision,
    appliedTime: batch.appliedAt.toISOString(),
    ccxtExchange: batch.ccxtExchange,
    changes: batch.changes.map((change) => InstrumentChange.toJSON(change)),
  });
}
