import type { handleUnaryCall, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';
import { ServiceError } from '../domain/service-error.js';
import { toGrpcStatus } from './to-grpc-status.js';

export type UnaryErrorLogger = (method: string, error: unknown) => void;

/** Adapts a synchronous request → response function to grpc-js, mapping thrown errors to statuses. */
export function unary<Req, Res>(
  method: string,
  handler: (request: Req) => Res,
  logError: UnaryErrorLogger,
): handleUnaryCall<Req, Res> {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    let response: Res;
    try {
      response = handler(call.request);
    } catch (error) {
      if (!(error instanceof ServiceError)) logError(method, error);
      callback(toGrpcStatus(error), null);
      return;
    }
    callback(null, response);
  };
}
