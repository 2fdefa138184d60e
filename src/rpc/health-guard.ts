import type { sendUnaryData, ServerUnaryCall, ServerWritableStream, UntypedHandleCall, UntypedServiceImplementation } from '@grpc/grpc-js';
import { notFound, quoted } from '../domain/service-error.js';
import { toGrpcStatus } from './to-grpc-status.js';

// grpc-health-check (2.1.0) answers Check for an unknown service with the whole name in the
// status message (a 1 MB name makes a trailer clients refuse, so the call hangs to its deadline),
// and its Watch keeps a map entry per name ever watched, never removed: a client watching many
// names grows the server's memory for good. The services this server reports on are fixed, so
// unknown names are answered here, without echo and without state.

interface HealthRequest {
  service: string;
}

type Check = (call: ServerUnaryCall<HealthRequest, unknown>, callback: sendUnaryData<unknown>) => void;
type Watch = (call: ServerWritableStream<HealthRequest, unknown>) => void;

/** The health implementation with unknown service names answered here; `served` are the names it knows. */
export function guardHealth(implementation: UntypedServiceImplementation, served: ReadonlySet<string>): UntypedServiceImplementation {
  const check = implementation['check'] as Check;
  const watch = implementation['watch'] as Watch;
  const names = [...served].map((s) => quoted(s)).join(', ');
  const guardedCheck: Check = (call, callback) => {
    if (served.has(call.request.service)) check(call, callback);
    else callback(toGrpcStatus(notFound(`health status unknown for service ${quoted(call.request.service)}: this server reports on ${names}`)), null);
  };
  // The spec's answer for a name unknown now: SERVICE_UNKNOWN, then updates if it becomes known,
  // which here it never does. The stream stays open until the client ends it.
  const guardedWatch: Watch = (call) => {
    if (served.has(call.request.service)) watch(call);
    else call.write({ status: 'SERVICE_UNKNOWN' });
  };
  return { ...implementation, check: guardedCheck as UntypedHandleCall, watch: guardedWatch as UntypedHandleCall };
}
