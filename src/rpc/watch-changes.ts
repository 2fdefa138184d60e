import type { handleServerStreamingCall } from '@grpc/grpc-js';
import type { WatchChangesRequest, WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { ServiceError } from '../domain/service-error.js';
import { toGrpcStatus } from './to-grpc-status.js';

// The change feed needs the refresh pipeline and its diff, which do not exist yet; until they do,
// callers get an explicit UNIMPLEMENTED rather than a stream that never says anything.
export function watchChanges(): handleServerStreamingCall<WatchChangesRequest, WatchChangesResponse> {
  return (call) => {
    call.emit('error', toGrpcStatus(new ServiceError(
      'UNIMPLEMENTED',
      'WatchChanges is not implemented yet: until it is, poll ListInstruments or GetStatus (their revision tells whether anything changed)',
    )));
  };
}
