import type { GetStatusRequest, GetStatusResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { RpcContext } from './rpc-context.js';

export function getStatus(ctx: RpcContext) {
  return (_request: GetStatusRequest): GetStatusResponse => ({
    exchanges: ctx.exchanges.statuses(),
    revision: ctx.store.revision,
  });
}
