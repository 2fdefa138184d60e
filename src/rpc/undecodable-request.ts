import { ServerInterceptingCall, type ServerInterceptor, type ServiceDefinition } from '@grpc/grpc-js';
import { invalidArgument, type ServiceError } from '../domain/service-error.js';
import { toGrpcStatus } from './to-grpc-status.js';

// grpc-js answers a request its deserializer throws on with INTERNAL ("Error deserializing
// request"), as if the server were broken. Bytes that are not a valid request are the caller's
// mistake: deserializers wrapped here return this marker instead of throwing, and the interceptor
// answers it with INVALID_ARGUMENT before any handler sees it. Applies to every service added
// (ours, health, reflection), so none answers bad bytes with INTERNAL.

/** What a wrapped deserializer returns for bytes that are not a message of its type. */
export class UndecodableRequest {
  constructor(readonly error: ServiceError) {}
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // ts-proto reads 64-bit fields as JS numbers and refuses what a number cannot hold exactly.
  if (/SAFE_INTEGER/.test(message)) return 'a 64-bit integer field is beyond ±(2^53-1), the largest this server reads (revisions and timestamps stay far below it)';
  if (error instanceof RangeError && /call stack/.test(message)) return 'it nests groups or messages too deeply';
  return message.slice(0, 200);
}

/** The definition with deserializers that return UndecodableRequest instead of throwing. */
export function decodingTolerantly(definition: ServiceDefinition): ServiceDefinition {
  return Object.fromEntries(Object.entries(definition).map(([name, method]) => [name, {
    ...method,
    requestDeserialize: (bytes: Buffer): unknown => {
      try {
        return method.requestDeserialize(bytes);
      } catch (error) {
        return new UndecodableRequest(invalidArgument(
          `the request message for ${method.path} could not be decoded: ${reasonOf(error)}; send that method's request message, protobuf-encoded`));
      }
    },
  }]));
}

/**
 * Answers an undecodable request with INVALID_ARGUMENT. After that, nothing more of the call
 * reaches the handler (later messages, half-close) or the client (responses the handler was still
 * writing for earlier messages): grpc-js (1.14) writes a message sent after the status onto an
 * ended HTTP/2 stream, which then never sends its trailers and the client waits to its deadline.
 * Put it last (outermost), so the other interceptors see that status.
 */
export const rejectUndecodable: ServerInterceptor = (_method, call) => {
  let rejected = false;
  return new ServerInterceptingCall(call, {
    start: (next) => next({
      onReceiveMessage: (message, passOn) => {
        if (rejected) return;
        if (message instanceof UndecodableRequest) {
          rejected = true;
          call.sendStatus(toGrpcStatus(message.error));
        } else {
          passOn(message);
        }
      },
      onReceiveHalfClose: (passOn) => {
        if (!rejected) passOn();
      },
    }),
    sendMessage: (message, next) => {
      if (!rejected) next(message);
    },
    sendStatus: (status, next) => {
      if (!rejected) next(status);
    },
  });
};
