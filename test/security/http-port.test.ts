import { request } from 'node:https';
import { request as plainRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCerts, type CertFiles, type TestCerts } from '../support/certs.js';
import { startHarness, TEST_CONFIG, type Harness } from '../support/service-harness.js';

// The HTTP operations port protected the same way as gRPC: the same tokens (scope http), and with
// http.tls the same certificate, and the same client CA for mutual TLS.

const OPS = 'ops-token-0a1b2c3d4e5f6789';
const READER = 'reader-token-98f7e6d5c4b3a210';
let certs: TestCerts;
let tls: Harness;
let mtls: Harness;

beforeAll(async () => {
  certs = await makeTestCerts();
  const server = { certFile: certs.server.certFile, keyFile: certs.server.keyFile };
  const common = { auth: { enabled: true, tokensFile: undefined }, http: { ...TEST_CONFIG.http, tls: true } };
  const env = { env: { INSTRUMENTS_AUTH_TOKENS: `ops:${OPS};reader:${READER}:read,watch` } };
  [tls, mtls] = await Promise.all([
    startHarness({}, { ...common, tls: { ...server, clientCaFile: undefined } }, env),
    startHarness({}, { ...common, tls: { ...server, clientCaFile: certs.ca.certFile } }, env),
  ]);
});
afterAll(async () => {
  await Promise.all([tls?.close(), mtls?.close()]);
  await certs?.remove();
});

interface Answer { status: number; body: string }

function get(h: Harness, path: string, options: { token?: string; client?: CertFiles } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port: h.service.httpPort, path, ca: certs.ca.cert,
      headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
      ...(options.client === undefined ? {} : { cert: options.client.cert, key: options.client.key }),
    }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => { body += chunk.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS with tokens', () => {
  it('serves metrics and the dashboard to a token with scope http', async () => {
    const metrics = await get(tls, '/metrics', { token: OPS });
    expect(metrics.status).toBe(200);
    expect(metrics.body).toMatch(/^# HELP instruments_/m);
    expect((await get(tls, '/', { token: OPS })).status).toBe(200);
  });

  it('refuses no token (401), an unknown one (401) and one without scope http (403), naming what is wrong', async () => {
    expect(await get(tls, '/metrics')).toEqual({ status: 401, body: 'missing bearer token: send header "authorization: Bearer <token>"' });
    expect(await get(tls, '/metrics', { token: `${OPS}0` })).toEqual({ status: 401, body: 'unknown bearer token' });
    const denied = await get(tls, '/api/status', { token: READER });
    expect(denied.status).toBe(403);
    expect(denied.body).toBe('token "reader" may not use the HTTP port (scope "http"); its scopes: read, watch');
  });

  it('leaves /healthz open and refuses plaintext', async () => {
    expect(await get(tls, '/healthz')).toEqual({ status: 200, body: 'ok' });
    const plain = await new Promise<unknown>((resolve) => {
      const req = plainRequest({ host: '127.0.0.1', port: tls.service.httpPort, path: '/healthz' }, (res) => resolve(res.statusCode));
      req.on('error', (error) => resolve(error));
      req.end();
    });
    expect(plain).not.toBe(200);
  });
});

describe('mutual TLS on the HTTP port', () => {
  it('serves a client with a certificate from the client CA', async () => {
    expect((await get(mtls, '/metrics', { token: OPS, client: certs.client })).status).toBe(200);
  });

  it('refuses a client without a certificate, or with one from another CA, at the handshake', async () => {
    await expect(get(mtls, '/healthz')).rejects.toThrow();
    await expect(get(mtls, '/healthz', { client: certs.otherClient })).rejects.toThrow();
  });
});
