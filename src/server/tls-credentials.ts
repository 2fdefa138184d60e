import { ServerCredentials } from '@grpc/grpc-js';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { ConfigError, type TlsConfig } from '../app/config.js';
import { readConfigFile } from './read-config-file.js';

// The files are parsed here, at startup, because grpc-js only reads them when the port is bound
// and then reports an OpenSSL error that names neither the file nor the setting.

const CERT_FILE = 'server.tls.cert_file';
const KEY_FILE = 'server.tls.key_file';
const CLIENT_CA_FILE = 'server.tls.client_ca_file';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const PEM_KEY = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----/;

/** The PEM certificates in a file, each parsed; none or an unparsable one is a ConfigError. */
function readCertificates(key: string, path: string): { pem: string; certificates: X509Certificate[] } {
  const pem = readConfigFile(key, path);
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new ConfigError(`${key}: "${path}" is not a PEM certificate file (no "-----BEGIN CERTIFICATE-----" block)`);
  const certificates = blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch (error) {
      throw new ConfigError(`${key}: certificate ${i + 1} in "${path}" cannot be parsed: ${(error as Error).message}`);
    }
  });
  return { pem, certificates };
}

function readPrivateKey(path: string): { pem: string; key: KeyObject } {
  const pem = readConfigFile(KEY_FILE, path);
  const kind = PEM_KEY.exec(pem)?.[1];
  if (kind === undefined) throw new ConfigError(`${KEY_FILE}: "${path}" is not a PEM private key (no "-----BEGIN PRIVATE KEY-----" block)`);
  if (kind === 'ENCRYPTED PRIVATE KEY') throw new ConfigError(`${KEY_FILE}: "${path}" is encrypted; give an unencrypted key (openssl pkey -in key.pem -out plain.pem)`);
  try {
    return { pem, key: createPrivateKey(pem) };
  } catch (error) {
    throw new ConfigError(`${KEY_FILE}: the private key in "${path}" cannot be parsed: ${(error as Error).message}`);
  }
}

/** The PEM files of `server.tls`, checked: shared by gRPC and (with http.tls) the HTTP port. */
export interface TlsMaterial {
  certChain: Buffer;
  privateKey: Buffer;
  /** Set: mutual TLS. */
  clientCa: Buffer | undefined;
}

export function readTlsMaterial(tls: TlsConfig): TlsMaterial {
  const chain = readCertificates(CERT_FILE, tls.certFile);
  const key = readPrivateKey(tls.keyFile);
  const leaf = chain.certificates[0] as X509Certificate;
  if (!leaf.checkPrivateKey(key.key)) {
    throw new ConfigError(`${KEY_FILE}: the key in "${tls.keyFile}" does not belong to the first certificate in ${CERT_FILE} "${tls.certFile}" (${leaf.subject.replaceAll('\n', ', ')})`);
  }
  const clientCa = tls.clientCaFile === undefined ? undefined : Buffer.from(readCertificates(CLIENT_CA_FILE, tls.clientCaFile).pem);
  return { certChain: Buffer.from(chain.pem), privateKey: Buffer.from(key.pem), clientCa };
}

export function grpcCredentialsOf(material: TlsMaterial | undefined): ServerCredentials {
  if (material === undefined) return ServerCredentials.createInsecure();
  const { certChain, privateKey, clientCa } = material;
  return ServerCredentials.createSsl(clientCa ?? null, [{ private_key: privateKey, cert_chain: certChain }], clientCa !== undefined);
}
