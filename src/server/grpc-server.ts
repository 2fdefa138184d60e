import { Server, ServerCredentials, type ChannelOptions, type ServerInterceptor, type ServiceDefinition, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { InstrumentServiceService } from '../../gen/ts/instruments/v1/instrument_service.js';
import { instrumentService } from '../rpc/instrument-service.js';
import { DEFAULT_WATCH_SETTINGS, type WatchSettings } from '../rpc/watch-changes.js';
import { WatchRegistry } from '../rpc/watch-registry.js';
import type { RpcContext } from '../rpc/rpc-context.js';
import type { UnaryErrorLogger } from '../rpc/unary.js';
import { guardHealth } from '../rpc/health-guard.js';
import { decodingTolerantly, rejectUndecodable } from '../rpc/undecodable-request.js';
import { EncodedInstrumentServiceService } from './encoded-service.js';
import { addReflection } from './reflection.js';

export const SERVICE_NAME = 'instruments.v1.InstrumentService';

/** How long a shutdown lets responses and final statuses flush before closing connections. */
const DRAIN_MS = 1000;

export interface RunningServer {
  /** The bound port (useful with port 0). */
  port: number;
  health: HealthImplementation;
  /** Open WatchChanges streams. */
  watchers: WatchRegistry;
  /** Graceful shutdown: stops accepting calls and waits for running ones, forcing after graceMs. */
  close(graceMs?: number): Promise<void>;
}

export interface GrpcServerOptions {
  /** Defaults to insecure (plaintext). */
  credentials?: ServerCredentials;
  /** Run in order around every call (auth, metrics). */
  interceptors?: ServerInterceptor[];
  /** Extra channel options (keepalive). */
  channelOptions?: ChannelOptions;
  /**
   * 'cached' (default): definitions are encoded once per revision and responses splice their
   * bytes. 'per-request': the generated serializers, encoding every definition on every response;
   * kept as the baseline the ListInstruments benchmark compares with.
   */
  responseEncoding?: 'cached' | 'per-request';
}

/** Every service added (ours, health, reflection) answers undecodable requests with INVALID_ARGUMENT, not INTERNAL. */
class TolerantServer extends Server {
  override addService(service: ServiceDefinition, implementation: UntypedServiceImplementation): void {
    super.addService(decodingTolerantly(service), implementation);
  }
}

export async function startGrpcServer(
  listen: string,
  ctx: RpcContext,
  logError: UnaryErrorLogger,
  watchSettings: WatchSettings = DEFAULT_WATCH_SETTINGS,
  options: GrpcServerOptions = {},
): Promise<RunningServer> {
  const server = new TolerantServer({
    // The service passes server.max_request_bytes; requests are small, so refuse big ones undecoded.
    'grpc.max_receive_message_length': 1024 * 1024,
    ...options.channelOptions,
    interceptors: [...(options.interceptors ?? []), rejectUndecodable],
  });
  const watchers = new WatchRegistry();
  const definition = options.responseEncoding === 'per-request' ? InstrumentServiceService : EncodedInstrumentServiceService;
  server.addService(definition, instrumentService(ctx, { settings: watchSettings, registry: watchers }, logError));
  const served = { '': 'SERVING', [SERVICE_NAME]: 'SERVING' } as const;
  const health = new HealthImplementation(served);
  // Names it does not report on are answered by the guard: no echo, nothing kept per name.
  const reported = new Set(Object.keys(served));
  health.addToServer({ addService: (service, implementation) => server.addService(service, guardHealth(implementation, reported)) });
  addReflection(server);
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(listen, options.credentials ?? ServerCredentials.createInsecure(), (error, boundPort) => (error ? reject(error) : resolve(boundPort)));
  });
  return {
    port,
    health,
    watchers,
    close: (graceMs = 5000) => new Promise<void>((resolve) => {
      // Health first, so balancers and health watchers stop sending calls here.
      health.setStatus('', 'NOT_SERVING');
      health.setStatus(SERVICE_NAME, 'NOT_SERVING');
      // Open watches would hold tryShutdown until forced: end them, telling clients to resume elsewhere.
      watchers.endAll('server shutting down');
      // tryShutdown refuses new calls and waits for open ones. Unary handlers answer synchronously,
      // so what can stay open is streams that never end by themselves (health Watch): give answers
      // and statuses a short drain to reach their clients, then close what remains.
      const force = setTimeout(() => { server.forceShutdown(); resolve(); }, Math.min(graceMs, DRAIN_MS));
      server.tryShutdown(() => { clearTimeout(force); resolve(); });
    }),
  };
}
