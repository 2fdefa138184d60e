import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import type { BatchGetInstrumentsRequest, BatchGetInstrumentsResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { parseInstrumentKey } from '../domain/instrument-key.js';
import { invalidArgument } from '../domain/service-error.js';
import type { RpcContext } from './rpc-context.js';
import { sourceViewOf } from './source-view.js';

export const MAX_BATCH_KEYS = 1000;

export function batchGetInstruments(ctx: RpcContext) {
  return (request: BatchGetInstrumentsRequest): BatchGetInstrumentsResponse => {
    const keys = request.instrumentKeys;
    if (keys.length === 0) throw invalidArgument('instrument_keys is empty: give 1 to 1000 keys');
    if (keys.length > MAX_BATCH_KEYS) {
      throw invalidArgument(`instrument_keys has ${keys.length} keys; at most ${MAX_BATCH_KEYS} are accepted per call`);
    }
    for (const key of keys) {
      const parsed = parseInstrumentKey(key);
      if ('error' in parsed) throw invalidArgument(parsed.error);
    }
    const view = ctx.store.readView(sourceViewOf(request.view));
    const instruments: InstrumentDefinition[] = [];
    const notFoundKeys: string[] = [];
    for (const key of keys) {
      const d = view.byKey.get(key);
      if (d === undefined) notFoundKeys.push(key);
      else instruments.push(d);
    }
    return { instruments, notFoundKeys, revision: view.revision };
  };
}
