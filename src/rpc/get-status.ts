import type { GetStatusRequest, GetStatusResponse, StoreStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { RpcContext } from './rpc-context.js';

const EMBEDDED: StoreStatus = { mode: 'embedded', replicaId: '', connected: true, lastContactTime: undefined, lastError: '', polling: [], sharedRevision: 0 };

export function getStatus(ctx: RpcContext) {
  return (_request: GetStatusRequest): GetStatusResponse => ({
    exchanges: ctx.exchanges.statuses(),
    revision: ctx.store.revision,
    store: ctx.exchanges.store?.() ?? EMBEDDED,
  });
}
