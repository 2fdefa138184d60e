import { ServerInterceptingCall, type Metadata, type ServerInterceptor } from '@grpc/grpc-js';
import type { Authenticator, AuthDecision } from '../domain/authenticator.js';
import { ServiceError } from '../domain/service-error.js';
import type { Scope } from '../domain/token-entry.js';
import { toGrpcStatus } from '../rpc/to-grpc-status.js';

// Health stays open so load balancers and orchestrators can probe without a token. Exact paths,
// not a prefix: nothing else may ride on the health service's name.
const PUBLIC_METHODS: ReadonlySet<string> = new Set(['Check', 'Watch', 'List'].map((m) => `/grpc.health.v1.Health/${m}`));

const REFLECTION = 'ServerReflectionInfo';
const METHOD_SCOPES: ReadonlyMap<string, Scope> = new Map([
  ['/instruments.v1.InstrumentService/GetInstrument', 'read'],
  ['/instruments.v1.InstrumentService/BatchGetInstruments', 'read'],
  ['/instruments.v1.InstrumentService/ListInstruments', 'read'],
  ['/instruments.v1.InstrumentService/GetStatus', 'read'],
  ['/instruments.v1.InstrumentService/WatchChanges', 'watch'],
  [`/grpc.reflection.v1.ServerReflection/${REFLECTION}`, 'reflection'],
  [`/grpc.reflection.v1alpha.ServerReflection/${REFLECTION}`, 'reflection'],
]);

/** The scope a method needs; undefined for a method no token may call (fail closed). */
const scopeOfMethod = (path: string): Scope | undefined => METHOD_SCOPES.get(path);

function decide(authenticator: Authenticator, path: string, metadata: Metadata): AuthDecision {
  // Node's HTTP/2 server keeps only the first of repeated authorization headers.
  const value = metadata.get('authorization')[0];
  const authorization = typeof value === 'string' ? value : undefined;
  const method = path.slice(1);
  const scope = scopeOfMethod(path);
  if (scope !== undefined) return authenticator.check(authorization, scope, `call ${method}`);
  const identity = authenticator.identify(authorization);
  if (!identity.ok) return identity;
  return { ok: false, code: 'PERMISSION_DENIED', message: `token "${identity.name}" may not call ${method}: no scope allows it` };
}

/**
 * Requires a token for every call except health. The decision is made on the request metadata,
 * before the handler starts: a denied call is answered with its status and the handler never
 * runs (grpc-js starts it only after the metadata is passed on). grpc-js answers an unknown
 * method with UNIMPLEMENTED before any interceptor runs.
 */
export function authInterceptor(authenticator: Authenticator): ServerInterceptor {
  return (method, call) => {
    if (PUBLIC_METHODS.has(method.path)) return new ServerInterceptingCall(call);
    return new ServerInterceptingCall(call, {
      start: (next) => next({
        onReceiveMetadata: (metadata, passOn) => {
          const decision = decide(authenticator, method.path, metadata);
          if (decision.ok) passOn(metadata);
          else call.sendStatus(toGrpcStatus(new ServiceError(decision.code, decision.message)));
        },
      }),
    });
  };
}
