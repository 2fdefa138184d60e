import { credentials, status } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { failure, getStatus, instrumentClient, tlsCredentials } from '../support/secure-client.js';
import { startHarness, type Harness } from '../support/service-harness.js';

// The real service behind TLS and mutual TLS, called by the generated TypeScript client.

let certs: TestCerts;
let tls: Harness;
let mtls: Harness;
const clients: InstrumentServiceClient[] = [];

function client(h: Harness, channel = tlsCredentials(certs.ca)): InstrumentServiceClient {
  const c = instrumentClient(h.address, channel);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  certs = await makeTestCerts();
  const server = { certFile: certs.server.certFile, keyFile: certs.server.keyFile };
  [tls, mtls] = await Promise.all([
    startHarness({}, { tls: { ...server, clientCaFile: undefined } }),
    startHarness({}, { tls: { ...server, clientCaFile: certs.ca.certFile } }),
  ]);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await Promise.all([tls?.close(), mtls?.close()]);
  await certs?.remove();
});

describe('TLS', () => {
  it('a client trusting the CA is served', async () => {
    expect((await getStatus(client(tls))).exchanges).toEqual([]);
  });

  it('a plaintext client fails', async () => {
    const error = await failure(getStatus(client(tls, credentials.createInsecure())));
    expect(error.code).toBe(status.UNAVAILABLE);
  });

  it('a client trusting another CA fails', async () => {
    const error = await failure(getStatus(client(tls, tlsCredentials(certs.otherCa))));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toMatch(/unable to verify the first certificate/);
  });

  it('a client certificate is not required without client_ca_file', async () => {
    expect((await getStatus(client(tls, tlsCredentials(certs.ca, certs.client)))).exchanges).toEqual([]);
  });
});

describe('mutual TLS', () => {
  it('a client with a certificate from the client CA is served', async () => {
    expect((await getStatus(client(mtls, tlsCredentials(certs.ca, certs.client)))).exchanges).toEqual([]);
  });

  it('a client without a certificate fails', async () => {
    const error = await failure(getStatus(client(mtls)));
    expect(error.code).toBe(status.UNAVAILABLE);
    expect(error.details).toMatch(/certificate required/);
  });

  it('a client with a certificate from another CA fails', async () => {
    const error = await failure(getStatus(client(mtls, tlsCredentials(certs.ca, certs.otherClient))));
    expect(error.code).toBe(status.UNAVAILABLE);
  });
});
