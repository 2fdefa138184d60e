import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { credentials, makeGenericClientConstructor, Metadata, type ChannelCredentials, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import {
  InstrumentServiceClient,
  WatchChangesRequest,
  type GetStatusResponse,
  type WatchChangesResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import type { CertFiles } from './certs.js';
import { REPO_ROOT } from './demo-process.js';
import { PATIENCE_MS } from './wait-for.js';

// Clients for a server with TLS and/or bearer tokens, through grpc-js and through grpcurl.

/** A call's deadline: one wait's patience, only there so a broken test cannot hang. */
const deadline = (): Date => new Date(Date.now() + PATIENCE_MS);

export function tlsCredentials(ca: CertFiles, client?: CertFiles): ChannelCredentials {
  return client === undefined ? credentials.createSsl(ca.cert) : credentials.createSsl(ca.cert, client.key, client.cert);
}

export function instrumentClient(address: string, channel: ChannelCredentials): InstrumentServiceClient {
  return new InstrumentServiceClient(address, channel);
}

export function bearer(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}

export function getStatus(client: InstrumentServiceClient, metadata = new Metadata()): Promise<GetStatusResponse> {
  return new Promise((resolve, reject) => {
    client.getStatus({}, metadata, { deadline: deadline() }, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

/** The error a call fails with; a call that succeeds fails the test. */
export async function failure(call: Promise<unknown>): Promise<ServiceError> {
  return call.then(
    (value) => { throw new Error(`expected the call to fail, it returned ${JSON.stringify(value)}`); },
    (error: ServiceError) => error,
  );
}

/** The first message of a WatchChanges stream (then cancelled), or the status the stream ended with. */
export function firstWatchMessage(client: InstrumentServiceClient, metadata = new Metadata()): Promise<WatchChangesResponse> {
  const stream = client.watchChanges(WatchChangesRequest.fromPartial({}), metadata, { deadline: deadline() });
  return new Promise((resolve, reject) => {
    stream.once('data', (message: WatchChangesResponse) => {
      resolve(message);
      stream.cancel();
    });
    stream.on('error', reject);
  });
}

const HealthClient = makeGenericClientConstructor(healthService as unknown as ServiceDefinition, 'grpc.health.v1.Health');

export function healthCheck(address: string, channel: ChannelCredentials): Promise<unknown> {
  const client = new HealthClient(address, channel);
  return new Promise<unknown>((resolve, reject) => {
    const check = client['check'] as (req: object, md: Metadata, opts: object, cb: (e: ServiceError | null, r: unknown) => void) => void;
    check.call(client, { service: '' }, new Metadata(), { deadline: deadline() }, (err, res) => (err ? reject(err) : resolve(res)));
  }).finally(() => client.close());
}

export const GRPCURL = `${REPO_ROOT}.tools/bin/grpcurl`;

export interface GrpcurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs grpcurl with these arguments (no shell); a non-zero exit is a result, not a throw. */
export function grpcurl(args: string[]): Promise<GrpcurlResult> {
  if (!existsSync(GRPCURL)) throw new Error(`${GRPCURL} is missing: run "node scripts/ensure-tools.mjs --only grpcurl" (npm test does)`);
  return new Promise((resolve) => {
    // grpcurl's whole run (connect included) gets one wait's patience, in whole seconds.
    execFile(GRPCURL, ['-max-time', String(PATIENCE_MS / 1000), ...args], (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}
