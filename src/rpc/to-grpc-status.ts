import { status, type ServiceError as GrpcServiceError } from '@grpc/grpc-js';
import { ServiceError, type ServiceErrorCode } from '../domain/service-error.js';

const CODES: Record<ServiceErrorCode, status> = {
  INVALID_ARGUMENT: status.INVALID_ARGUMENT,
  NOT_FOUND: status.NOT_FOUND,
  UNAVAILABLE: status.UNAVAILABLE,
  OUT_OF_RANGE: status.OUT_OF_RANGE,
  RESOURCE_EXHAUSTED: status.RESOURCE_EXHAUSTED,
  FAILED_PRECONDITION: status.FAILED_PRECONDITION,
  UNAUTHENTICATED: status.UNAUTHENTICATED,
  PERMISSION_DENIED: status.PERMISSION_DENIED,
};

export type StatusObject = Partial<GrpcServiceError> & { code: status; details: string };

/** The one mapping from errors to gRPC statuses. Unexpected errors never leak their text. */
export function toGrpcStatus(error: unknown): StatusObject {
  if (error instanceof ServiceError) return { code: CODES[error.code], details: error.message };
  return { code: status.INTERNAL, details: 'internal error; the server logged the cause' };
}
