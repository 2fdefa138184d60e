import { Client, credentials, Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedMethods, type ServedMethod } from '../support/reflection-methods.js';
import { startHarness, type Harness } from '../support/service-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';

// With auth on, no method the server offers (found through reflection, so a new one cannot be
// missed) answers without the right token: not with no token, a wrong one, one lacking the scope,
// a malformed header, or a request body the handler would fail to decode. Only health is open.

const TOKENS = {
  ops: 'ops-token-5d1c7e0a93b2f846',
  reader: 'reader-token-8e2a41c9d07f',
  watcher: 'watcher-token-b3f9a62e1c05',
  reflector: 'reflect-token-47c0e8d25a91',
  dashboard: 'dashboard-token-9a6f13b8e2d4',
};
const SCOPES: Record<keyof typeof TOKENS, string[]> = { ops: ['read', 'watch', 'reflection', 'http'], reader: ['read'], watcher: ['watch'], reflector: ['reflection'], dashboard: ['http'] };
const AUTH_CODES = [status.UNAUTHENTICATED, status.PERMISSION_DENIED];

let h: Harness;
let client: Client;
let methods: ServedMethod[];

const metadataWith = (authorization?: string): Metadata => {
  const metadata = new Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  return metadata;
};
const bearer = (name: keyof typeof TOKENS): Metadata => metadataWith(`Bearer ${TOKENS[name]}`);

/** The scope a method needs; undefined for the open health service. */
function scopeOf(path: string): string | undefined {
  if (path.startsWith('/grpc.health.v1.Health/')) return undefined;
  if (path.includes('ServerReflection/')) return 'reflection';
  return path.endsWith('/WatchChanges') ? 'watch' : 'read';
}

/** The status a call ends with (OK included), whatever its kind, sending `body` once. */
function outcome(method: Pick<ServedMethod, 'path' | 'clientStreaming' | 'serverStreaming'>, metadata: Metadata, body: Buffer = Buffer.alloc(0)): Promise<{ code: number; details: string }> {
  const id = (x: Buffer): Buffer => x;
  // Only for a call that never answers: it then ends DEADLINE_EXCEEDED, which no check accepts.
  const options = { deadline: new Date(Date.now() + PATIENCE_MS) };
  return new Promise((resolve) => {
    const done = (error: ServiceError | null): void => resolve({ code: error?.code ?? status.OK, details: error?.details ?? '' });
    if (!method.serverStreaming && !method.clientStreaming) {
      client.makeUnaryRequest(method.path, id, id, body, metadata, options, (error) => done(error));
      return;
    }
    const bidi = method.clientStreaming ? client.makeBidiStreamRequest(method.path, id, id, metadata, options) : undefined;
    const stream = bidi ?? client.makeServerStreamRequest(method.path, id, id, body, metadata, options);
    // A stream that sends a message got past auth: that is its answer, then it is cancelled.
    stream.on('data', () => { resolve({ code: status.OK, details: 'streamed a message' }); stream.cancel(); });
    stream.on('error', (error: ServiceError) => done(error));
    stream.on('status', (s: { code: number }) => { if (s.code === status.OK) done(null); });
    if (bidi !== undefined) {
      bidi.write(body.length > 0 ? body : Buffer.from([0x3a, 0x00])); // list_services: ""
      bidi.end();
    }
  });
}

beforeAll(async () => {
  const env = { INSTRUMENTS_AUTH_TOKENS: Object.entries(TOKENS).map(([name, token]) => `${name}:${token}:${SCOPES[name as keyof typeof TOKENS].join(',')}`).join(';') };
  h = await startHarness({ dydx: 'fixture' }, { auth: { enabled: true, tokensFile: undefined } }, { env });
  client = new Client(h.address, credentials.createInsecure());
  // The reflection service does not list itself; grpcurl reaches it all the same, so add both versions.
  const reflection = ['v1', 'v1alpha'].map((v) => ({ path: `/grpc.reflection.${v}.ServerReflection/ServerReflectionInfo`, clientStreaming: true, serverStreaming: true }));
  methods = [...await servedMethods(h.address, bearer('reflector')), ...reflection];
});
afterAll(async () => {
  client?.close();
  await h?.close();
});

describe('every method reflection lists', () => {
  it('covers the instrument service, reflection (v1 and v1alpha) and health', () => {
    const paths = methods.map((m) => m.path);
    expect(paths).toEqual(expect.arrayContaining([
      '/instruments.v1.InstrumentService/GetInstrument', '/instruments.v1.InstrumentService/BatchGetInstruments',
      '/instruments.v1.InstrumentService/ListInstruments', '/instruments.v1.InstrumentService/WatchChanges',
      '/instruments.v1.InstrumentService/GetStatus', '/grpc.reflection.v1.ServerReflection/ServerReflectionInfo',
      '/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo', '/grpc.health.v1.Health/Check',
    ]));
  });

  it('no token, an unknown token, or a malformed header: UNAUTHENTICATED on every guarded method', async () => {
    const headers = [undefined, `Bearer ${TOKENS.ops}x`, `Bearer`, `Bearer  `, `Token ${TOKENS.ops}`, TOKENS.ops, `Bearer ${TOKENS.ops.toUpperCase()}`, `Basic ${Buffer.from(`${TOKENS.ops}:`).toString('base64')}`];
    const leaks: string[] = [];
    for (const method of methods.filter((m) => scopeOf(m.path) !== undefined)) {
      for (const header of headers) {
        const result = await outcome(method, metadataWith(header));
        if (result.code !== status.UNAUTHENTICATED) leaks.push(`${method.path} with ${JSON.stringify(header)}: ${status[result.code]} ${result.details}`);
      }
    }
    expect(leaks).toEqual([]);
  });

  it('a request body the handler could not decode is still refused for auth first, not parsed', async () => {
    const garbage = Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x0a, 0x80]);
    for (const method of methods.filter((m) => scopeOf(m.path) !== undefined)) {
      expect((await outcome(method, new Metadata(), garbage)).code, method.path).toBe(status.UNAUTHENTICATED);
    }
  });

  it('a token without the method\'s scope: PERMISSION_DENIED; one with it gets past auth', async () => {
    const wrong: string[] = [];
    for (const method of methods) {
      const scope = scopeOf(method.path);
      for (const name of Object.keys(TOKENS) as Array<keyof typeof TOKENS>) {
        const result = await outcome(method, bearer(name));
        const allowed = scope === undefined || SCOPES[name].includes(scope);
        const ok = allowed ? !AUTH_CODES.includes(result.code) : result.code === status.PERMISSION_DENIED;
        if (!ok) wrong.push(`${method.path} as ${name}: ${status[result.code]} ${result.details}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('health answers without a token', async () => {
    for (const method of methods.filter((m) => scopeOf(m.path) === undefined)) {
      expect(AUTH_CODES, method.path).not.toContain((await outcome(method, new Metadata())).code);
    }
  });

  it('paths that resemble a method or borrow health\'s name reach no handler', async () => {
    const tricks = [
      '/grpc.health.v1.Health/../instruments.v1.InstrumentService/GetStatus', '/grpc.health.v1.Health/GetStatus',
      '/instruments.v1.InstrumentService/GetStatus/', '//instruments.v1.InstrumentService/GetStatus',
      '/instruments.v1.InstrumentService/getstatus', '/instruments.v1.InstrumentService%2FGetStatus',
      '/grpc.health.v1.Health/Check/../../instruments.v1.InstrumentService/ListInstruments',
    ];
    for (const path of tricks) {
      const result = await outcome({ path, clientStreaming: false, serverStreaming: false }, new Metadata());
      expect([status.UNIMPLEMENTED, status.UNAUTHENTICATED], `${path}: ${status[result.code]} ${result.details}`).toContain(result.code);
    }
  });
});
