import { credentials, Metadata, Server, ServerCredentials, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetInstrumentRequest, type InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { Authenticator } from '../../src/domain/authenticator.js';
import { authInterceptor } from '../../src/server/auth-interceptor.js';
import { bearer, failure, firstWatchMessage, getStatus, healthCheck, instrumentClient } from '../support/secure-client.js';
import { call, startHarness, type Harness } from '../support/service-harness.js';

// The real service with auth on and tokens from INSTRUMENTS_AUTH_TOKENS, called by the generated client.

const OPS = 'ops-token-0123456789abcdef';
const READER = 'reader-token-0123456789';
const WATCHER = 'watcher-token-0123456789';
const DASHBOARD = 'dashboard-token-0123456789';
const ALL_TOKENS = [OPS, READER, WATCHER, DASHBOARD];

let h: Harness;
let client: InstrumentServiceClient;

beforeAll(async () => {
  const env = { INSTRUMENTS_AUTH_TOKENS: `ops:${OPS}; reader:${READER}:read\nwatcher:${WATCHER}:watch;dashboard:${DASHBOARD}:http` };
  h = await startHarness({}, { auth: { enabled: true, tokensFile: undefined } }, { env });
  client = instrumentClient(h.address, credentials.createInsecure());
});

afterAll(async () => {
  client?.close();
  await h?.close();
});

const getInstrument = (metadata: Metadata) => call((r: GetInstrumentRequest, cb) => client.getInstrument(r, metadata, cb), GetInstrumentRequest.fromPartial({ instrumentKey: 'NOPE:SPOT:A/B' }));

function expectNoTokenIn(error: ServiceError): void {
  for (const token of ALL_TOKENS) expect(error.details).not.toContain(token);
}

describe('bearer tokens on unary calls', () => {
  it('no token: UNAUTHENTICATED saying how to send one', async () => {
    const error = await failure(getStatus(client));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toBe('missing bearer token: send metadata "authorization: Bearer <token>"');
  });

  it('a wrong token: UNAUTHENTICATED, not echoed', async () => {
    const error = await failure(getStatus(client, bearer(`${READER}x`)));
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toBe('unknown bearer token');
    expect(error.details).not.toContain(READER);
  });

  it('a token without the scope: PERMISSION_DENIED naming token, method and scopes', async () => {
    const error = await failure(getStatus(client, bearer(DASHBOARD)));
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toBe('token "dashboard" may not call instruments.v1.InstrumentService/GetStatus (scope "read"); its scopes: http');
    expectNoTokenIn(error);
  });

  it('the right token reaches the handler', async () => {
    expect((await getStatus(client, bearer(READER))).exchanges).toEqual([]);
    expect((await getStatus(client, bearer(OPS))).exchanges).toEqual([]);
    // The handler ran: its own NOT_FOUND, not an auth status.
    expect((await failure(getInstrument(bearer(READER)))).code).toBe(status.NOT_FOUND);
    expect((await failure(getInstrument(new Metadata()))).code).toBe(status.UNAUTHENTICATED);
  });

  it('an unknown method is UNIMPLEMENTED before auth (grpc-js answers it without running interceptors)', async () => {
    const error = await failure(new Promise((resolve, reject) => {
      client.makeUnaryRequest('/instruments.v1.InstrumentService/Nope', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e, r) => (e ? reject(e) : resolve(r)));
    }));
    expect(error.code).toBe(status.UNIMPLEMENTED);
  });
});

describe('bearer tokens on WatchChanges', () => {
  it('no token: the stream ends UNAUTHENTICATED and no watch is opened', async () => {
    const error = await failure(firstWatchMessage(client)) as ServiceError;
    expect(error.code).toBe(status.UNAUTHENTICATED);
    expect(error.details).toMatch(/^missing bearer token/);
    expect(h.service.server.watchers.size).toBe(0);
  });

  it('a read-only token: PERMISSION_DENIED naming the watch scope', async () => {
    const error = await failure(firstWatchMessage(client, bearer(READER))) as ServiceError;
    expect(error.code).toBe(status.PERMISSION_DENIED);
    expect(error.details).toBe('token "reader" may not call instruments.v1.InstrumentService/WatchChanges (scope "watch"); its scopes: read');
    expect(h.service.server.watchers.size).toBe(0);
  });

  it('a watch token receives the first message', async () => {
    const first = await firstWatchMessage(client, bearer(WATCHER));
    expect(first.progress).toBeDefined();
  });
});

describe('health', () => {
  it('Check needs no token', async () => {
    expect(await healthCheck(h.address, credentials.createInsecure())).toEqual({ status: 'SERVING' });
  });
});

describe('a method no scope covers', () => {
  it('is denied even to a token with every scope (fail closed)', async () => {
    const server = new Server({ interceptors: [authInterceptor(new Authenticator([{ name: 'ops', token: OPS, scopes: ['read', 'watch', 'reflection', 'http'] }]))] });
    server.addService({
      Echo: { path: '/test.Extra/Echo', requestStream: false, responseStream: false, requestSerialize: (x: Buffer) => x, requestDeserialize: (x: Buffer) => x, responseSerialize: (x: Buffer) => x, responseDeserialize: (x: Buffer) => x },
    }, { Echo: (_call: unknown, cb: (e: null, r: Buffer) => void) => cb(null, Buffer.from('ran')) });
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    const other = instrumentClient(`127.0.0.1:${port}`, credentials.createInsecure());
    const echo = (metadata: Metadata) => new Promise((resolve, reject) => {
      other.makeUnaryRequest('/test.Extra/Echo', (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), metadata, (e, r) => (e ? reject(e) : resolve(r)));
    });
    try {
      expect(await failure(echo(bearer(OPS)))).toMatchObject({ code: status.PERMISSION_DENIED, details: 'token "ops" may not call test.Extra/Echo: no scope allows it' });
      expect(await failure(echo(new Metadata()))).toMatchObject({ code: status.UNAUTHENTICATED });
    } finally {
      other.close();
      server.forceShutdown();
    }
  });
});
