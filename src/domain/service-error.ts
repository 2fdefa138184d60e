// The one error type the service raises on purpose. Its code names the gRPC status it maps to
// (see rpc/to-grpc-status.ts); its message is for the caller and says what was wrong and what
// is accepted. Anything else thrown is a bug and becomes INTERNAL.

export type ServiceErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'UNAVAILABLE'
  | 'OUT_OF_RANGE'
  | 'RESOURCE_EXHAUSTED'
  | 'FAILED_PRECONDITION'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED';

export class ServiceError extends Error {
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

export const invalidArgument = (message: string): ServiceError => new ServiceError('INVALID_ARGUMENT', message);
export const notFound = (message: string): ServiceError => new ServiceError('NOT_FOUND', message);
export const unavailable = (message: string): ServiceError => new ServiceError('UNAVAILABLE', message);

/**
 * Caller input quoted in a message: JSON-escaped and cut to `max` characters. A message names
 * what was wrong; echoing a megabyte of input back would put it in the status trailer, which
 * HTTP/2 clients refuse (the call then hangs to its deadline instead of failing).
 */
export function quoted(value: string, max = 120): string {
  if (value.length <= max) return JSON.stringify(value);
  // Never cut a surrogate pair in half.
  const cut = /[\uD800-\uDBFF]/.test(value[max - 1] ?? '') ? value.slice(0, max - 1) : value.slice(0, max);
  return `${JSON.stringify(cut)}… (${value.length} characters)`;
}
