import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its key: paths (for config and grpcurl) and contents (for grpc-js clients). */
export interface CertFiles {
  certFile: string;
  keyFile: string;
  cert: Buffer;
  key: Buffer;
}

export interface TestCerts {
  dir: string;
  /** The CA that signed `server` and `client`. */
  ca: CertFiles;
  /** For 127.0.0.1 and localhost. */
  server: CertFiles;
  client: CertFiles;
  /** An unrelated CA and a client certificate it signed. */
  otherCa: CertFiles;
  otherClient: CertFiles;
  remove(): Promise<void>;
}

// Our own config, so the result does not depend on the system's openssl.cnf.
const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
[client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
`;

// EC P-256 keys: generating them takes milliseconds, RSA would take far longer.
const NEW_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function files(dir: string, name: string): Promise<CertFiles> {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  return { certFile, keyFile, cert: await readFile(certFile), key: await readFile(keyFile) };
}

async function makeCa(dir: string, config: string, name: string): Promise<CertFiles> {
  await run('openssl', ['req', '-x509', '-new', ...NEW_KEY, '-config', config, '-extensions', 'ca', '-subj', `/CN=${name}`,
    '-days', '2', '-keyout', join(dir, `${name}.key`), '-out', join(dir, `${name}.crt`)]);
  return files(dir, name);
}

async function makeLeaf(dir: string, config: string, ca: CertFiles, name: string, kind: 'server' | 'client', serial: number): Promise<CertFiles> {
  const csr = join(dir, `${name}.csr`);
  await run('openssl', ['req', '-new', ...NEW_KEY, '-config', config, '-subj', `/CN=${name}`, '-keyout', join(dir, `${name}.key`), '-out', csr]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', String(serial),
    '-days', '2', '-extfile', config, '-extensions', kind, '-out', join(dir, `${name}.crt`)]);
  return files(dir, name);
}

/** Fresh CAs and certificates in a temp dir, made with the openssl CLI. */
export async function makeTestCerts(): Promise<TestCerts> {
  const dir = await mkdtemp(join(tmpdir(), 'instruments-certs-'));
  const config = join(dir, 'openssl.cnf');
  await writeFile(config, CONFIG);
  const [ca, otherCa] = await Promise.all([makeCa(dir, config, 'test-ca'), makeCa(dir, config, 'other-ca')]);
  const [server, client, otherClient] = await Promise.all([
    makeLeaf(dir, config, ca, 'localhost', 'server', 1),
    makeLeaf(dir, config, ca, 'test-client', 'client', 2),
    makeLeaf(dir, config, otherCa, 'other-client', 'client', 3),
  ]);
  return { dir, ca, server, client, otherCa, otherClient, remove: () => rm(dir, { recursive: true, force: true }) };
}
