import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { REPO_ROOT } from '../support/demo-process.js';
import { grpcurl, type GrpcurlResult } from '../support/secure-client.js';
import { startHarness, type Harness } from '../support/service-harness.js';

// The real service with mutual TLS and a tokens file, called the way an operator would: grpcurl.

const OPS = 'ops-token-0123456789abcdef';
const READER = 'reader-token-0123456789';
const INSPECTOR = 'inspector-token-0123456789';

let certs: TestCerts;
let h: Harness;

beforeAll(async () => {
  certs = await makeTestCerts();
  const tokensFile = join(certs.dir, 'tokens');
  await writeFile(tokensFile, `# name:token[:scopes]\nops:${OPS}\nreader:${READER}:read\n\ninspector:${INSPECTOR}:reflection\n`);
  h = await startHarness({}, {
    tls: { certFile: certs.server.certFile, keyFile: certs.server.keyFile, clientCaFile: certs.ca.certFile },
    auth: { enabled: true, tokensFile },
  });
});

afterAll(async () => {
  await h?.close();
  await certs?.remove();
});

/** grpcurl over mutual TLS with the test client certificate, plus `args`. */
const secure = (...args: string[]): Promise<GrpcurlResult> =>
  grpcurl(['-cacert', certs.ca.certFile, '-cert', certs.client.certFile, '-key', certs.client.keyFile, ...args]);
const auth = (token: string): string[] => ['-H', `authorization: Bearer ${token}`];
const GET_STATUS = 'instruments.v1.InstrumentService/GetStatus';
// Without proto files grpcurl asks reflection for every call's schema; a token without the
// `reflection` scope (or no token, for health) needs the descriptor sets instead.
const PROTOSET = ['-protoset', `${REPO_ROOT}gen/descriptor/instruments.binpb`];
const HEALTH_PROTOSET = ['-protoset', `${REPO_ROOT}gen/descriptor/health.binpb`];

describe('grpcurl over mutual TLS with tokens', () => {
  it('GetStatus with -cacert, -cert/-key and a bearer token succeeds', async () => {
    for (const args of [[...auth(READER), ...PROTOSET], auth(OPS)]) {
      const result = await secure(...args, h.address, GET_STATUS);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      // No exchanges configured: only where the state lives (grpcurl leaves out default values).
      expect(JSON.parse(result.stdout)).toEqual({ store: { mode: 'embedded', connected: true } });
    }
  });

  it('no token: Unauthenticated with the message', async () => {
    const result = await secure(...PROTOSET, h.address, GET_STATUS);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Code: Unauthenticated\s+Message: missing bearer token: send metadata "authorization: Bearer <token>"/);
  });

  it('a token without the scope: PermissionDenied with the message, no token in it', async () => {
    const result = await secure(...auth(INSPECTOR), h.address, GET_STATUS);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Code: PermissionDenied\s+Message: token "inspector" may not call instruments\.v1\.InstrumentService\/GetStatus \(scope "read"\); its scopes: reflection/);
    expect(result.stderr).not.toContain(INSPECTOR);
  });

  it('of two authorization headers the first counts (Node keeps one), so a valid second one does not help', async () => {
    const result = await secure(...auth('not-a-configured-token-0000'), ...auth(OPS), ...PROTOSET, h.address, GET_STATUS);
    expect(result.stderr).toMatch(/Code: Unauthenticated\s+Message: unknown bearer token/);
  });

  it('health Check needs no token', async () => {
    const result = await secure(...HEALTH_PROTOSET, '-d', '{"service": ""}', h.address, 'grpc.health.v1.Health/Check');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ status: 'SERVING' });
  });

  it('reflection (list, describe) needs the reflection scope', async () => {
    expect((await secure(h.address, 'list')).stderr).toMatch(/Unauthenticated.*missing bearer token/);
    expect((await secure(...auth(READER), h.address, 'list')).stderr)
      .toMatch(/PermissionDenied.*token "reader" may not call grpc\.reflection\.v1(alpha)?\.ServerReflection\/ServerReflectionInfo \(scope "reflection"\); its scopes: read/);
    for (const token of [INSPECTOR, OPS]) {
      const listed = await secure(...auth(token), h.address, 'list');
      expect(listed.code).toBe(0);
      expect(listed.stdout.split('\n')).toEqual(expect.arrayContaining(['instruments.v1.InstrumentService', 'grpc.health.v1.Health']));
    }
    const described = await secure(...auth(INSPECTOR), h.address, 'describe', 'instruments.v1.InstrumentService');
    expect(described.stdout).toMatch(/rpc WatchChanges/);
  });

  it('a read-only token cannot use reflection to find the schema of a call', async () => {
    const result = await secure(...auth(READER), h.address, GET_STATUS);
    expect(result.stderr).toMatch(/code = PermissionDenied desc = failed to query for service descriptor "instruments\.v1\.InstrumentService": token "reader" may not call grpc\.reflection\.v1\.ServerReflection/);
  });

  it('without a client certificate or with the wrong CA, grpcurl cannot connect', async () => {
    const noCert = await grpcurl(['-cacert', certs.ca.certFile, ...auth(OPS), h.address, GET_STATUS]);
    expect(noCert.code).not.toBe(0);
    expect(noCert.stderr).toMatch(/certificate required/);
    const wrongCa = await grpcurl(['-cacert', certs.otherCa.certFile, '-cert', certs.client.certFile, '-key', certs.client.keyFile, ...auth(OPS), h.address, GET_STATUS]);
    expect(wrongCa.code).not.toBe(0);
    expect(wrongCa.stderr).toMatch(/certificate signed by unknown authority/);
    const plaintext = await grpcurl(['-plaintext', ...auth(OPS), h.address, GET_STATUS]);
    expect(plaintext.code).not.toBe(0);
  });
});
