import type { InstrumentServiceServer } from '../../gen/ts/instruments/v1/instrument_service.js';
import { batchGetInstruments } from './batch-get-instruments.js';
import { getInstrument } from './get-instrument.js';
import { getStatus } from './get-status.js';
import { listInstruments } from './list-instruments.js';
import type { RpcContext } from './rpc-context.js';
import { SlicedFanOut } from './sliced-fan-out.js';
import { unary, type UnaryErrorLogger } from './unary.js';
import { watchChanges, type WatchSettings } from './watch-changes.js';
import type { WatchRegistry } from './watch-registry.js';

export interface WatchDeps {
  settings: WatchSettings;
  registry: WatchRegistry;
}

export function instrumentService(ctx: RpcContext, watch: WatchDeps, logError: UnaryErrorLogger): InstrumentServiceServer {
  return {
    getInstrument: unary('GetInstrument', getInstrument(ctx), logError),
    batchGetInstruments: unary('BatchGetInstruments', batchGetInstruments(ctx), logError),
    listInstruments: unary('ListInstruments', listInstruments(ctx), logError),
    watchChanges: watchChanges(ctx, watch.settings, watch.registry, new SlicedFanOut(ctx.store.changes$)),
    getStatus: unary('GetStatus', getStatus(ctx), logError),
  };
}
