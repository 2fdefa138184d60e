import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/adapters/logger.js';
import { ConfigError, type ServiceConfig } from '../../src/app/config.js';
import { startService } from '../../src/app/service.js';
import { loadAuthenticator } from '../../src/server/load-authenticator.js';
import { readTlsMaterial } from '../../src/server/tls-credentials.js';
import { makeTestCerts, type TestCerts } from '../support/certs.js';
import { TEST_CONFIG } from '../support/service-harness.js';

const GOOD = 'good-token-0123456789';
const SHORT = 'tiny-secret';

let certs: TestCerts;
beforeAll(async () => { certs = await makeTestCerts(); });
afterAll(async () => { await certs.remove(); });

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as Error;
  }
  throw new Error('expected a ConfigError');
}

async function tokensFile(text: string): Promise<string> {
  const path = join(certs.dir, `tokens-${Math.random().toString(36).slice(2)}`);
  await writeFile(path, text);
  return path;
}

const enabled = (tokensFile?: string) => ({ enabled: true, tokensFile });

describe('TLS config errors', () => {
  it('a missing cert file names the key, the path and the OS error', () => {
    const missing = join(certs.dir, 'nope.crt');
    expect(thrown(() => readTlsMaterial({ certFile: missing, keyFile: certs.server.keyFile, clientCaFile: undefined })).message)
      .toBe(`server.tls.cert_file: cannot read "${missing}": ENOENT: no such file or directory, open '${missing}'`);
  });

  it('a missing key or client CA file names its key', () => {
    const missing = join(certs.dir, 'nope.pem');
    expect(thrown(() => readTlsMaterial({ certFile: certs.server.certFile, keyFile: missing, clientCaFile: undefined })).message).toMatch(/^server\.tls\.key_file: cannot read .*ENOENT/);
    expect(thrown(() => readTlsMaterial({ certFile: certs.server.certFile, keyFile: certs.server.keyFile, clientCaFile: missing })).message).toMatch(/^server\.tls\.client_ca_file: cannot read .*ENOENT/);
  });

  it('files that are not PEM, swapped or mismatched are named clearly', async () => {
    const junk = await tokensFile('not a certificate\n');
    const { server, client } = certs;
    expect(thrown(() => readTlsMaterial({ certFile: junk, keyFile: server.keyFile, clientCaFile: undefined })).message).toBe(`server.tls.cert_file: "${junk}" is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----" block)`);
    expect(thrown(() => readTlsMaterial({ certFile: server.keyFile, keyFile: server.certFile, clientCaFile: undefined })).message).toMatch(/^server\.tls\.cert_file: .* is not a PEM certificate file/);
    expect(thrown(() => readTlsMaterial({ certFile: server.certFile, keyFile: server.certFile, clientCaFile: undefined })).message).toMatch(/^server\.tls\.key_file: .* is not a PEM private key/);
    expect(thrown(() => readTlsMaterial({ certFile: server.certFile, keyFile: client.keyFile, clientCaFile: undefined })).message).toMatch(/^server\.tls\.key_file: the key in .* does not belong to the first certificate in server\.tls\.cert_file/);
    expect(thrown(() => readTlsMaterial({ certFile: server.certFile, keyFile: server.keyFile, clientCaFile: junk })).message).toMatch(/^server\.tls\.client_ca_file: .* is not a PEM certificate file/);
  });

  it('startService fails with the error before serving', async () => {
    const config: ServiceConfig = { ...TEST_CONFIG, exchanges: {}, tls: { certFile: join(certs.dir, 'absent.crt'), keyFile: certs.server.keyFile, clientCaFile: undefined } };
    await expect(startService(config, createLogger('silent'), {})).rejects.toThrow(/^server\.tls\.cert_file: cannot read/);
  });
});

describe('token config errors', () => {
  it('a short token names the file and line, not the token', async () => {
    const path = await tokensFile(`# services\n\nreader:${GOOD}:read\nbot:${SHORT}\n`);
    const message = thrown(() => loadAuthenticator(enabled(path), {})).message;
    expect(message).toBe(`auth.tokens_file "${path}" line 4: the token of "bot" is shorter than 16 characters`);
    expect(message).not.toContain(SHORT);
  });

  it('an unknown scope in the env var names the entry and the accepted scopes', () => {
    const message = thrown(() => loadAuthenticator(enabled(), { INSTRUMENTS_AUTH_TOKENS: `reader:${GOOD}:read;dash:${GOOD}x:dashboard` })).message;
    expect(message).toBe('INSTRUMENTS_AUTH_TOKENS entry 2: unknown scope "dashboard" for "dash"; accepted: read, watch, reflection, http');
    expect(message).not.toContain(GOOD);
  });

  it('duplicate names and reused tokens across file and env are rejected', async () => {
    const path = await tokensFile(`reader:${GOOD}\n`);
    expect(thrown(() => loadAuthenticator(enabled(path), { INSTRUMENTS_AUTH_TOKENS: `\nreader:${GOOD}-2` })).message)
      .toBe(`INSTRUMENTS_AUTH_TOKENS entry 2: duplicate token name "reader" (first at auth.tokens_file "${path}" line 1)`);
    const reused = thrown(() => loadAuthenticator(enabled(path), { INSTRUMENTS_AUTH_TOKENS: `other:${GOOD}` })).message;
    expect(reused).toMatch(/^INSTRUMENTS_AUTH_TOKENS entry 1: the token of "other" is the same as the token at .* line 1 \("reader"\)/);
    expect(reused).not.toContain(GOOD);
  });

  it('a malformed line and a missing tokens file are named', async () => {
    const path = await tokensFile(`reader ${GOOD}\n`);
    expect(thrown(() => loadAuthenticator(enabled(path), {})).message).toBe(`auth.tokens_file "${path}" line 1: malformed entry: expected name:token or name:token:scope1,scope2`);
    expect(thrown(() => loadAuthenticator(enabled(join(certs.dir, 'absent')), {})).message).toMatch(/^auth\.tokens_file: cannot read .*absent.*ENOENT/);
  });

  it('auth enabled with no tokens at all is an error; disabled needs none', async () => {
    expect(thrown(() => loadAuthenticator(enabled(), {})).message).toMatch(/auth\.enabled is true but there are no tokens \(auth\.tokens_file is not set, INSTRUMENTS_AUTH_TOKENS has none\)/);
    const comments = await tokensFile('# nobody yet\n\n');
    expect(thrown(() => loadAuthenticator(enabled(comments), { INSTRUMENTS_AUTH_TOKENS: ' ; ' })).message).toMatch(/has no entries/);
    expect(loadAuthenticator({ enabled: false, tokensFile: undefined }, {})).toBeUndefined();
  });

  it('file and env entries together make one token set', async () => {
    const path = await tokensFile(`reader:${GOOD}:read\r\n`);
    const auth = loadAuthenticator(enabled(path), { INSTRUMENTS_AUTH_TOKENS: `watcher:${GOOD}-w:watch\ndash:${GOOD}-d:http` });
    expect(auth?.names).toEqual(['reader', 'watcher', 'dash']);
    expect(auth?.check(`Bearer ${GOOD}-w`, 'watch')).toEqual({ ok: true, name: 'watcher' });
  });
});
