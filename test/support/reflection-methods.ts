import { createRequire } from 'node:module';
import { credentials, loadPackageDefinition, type Metadata, type ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

// Every method a server offers, found the way grpcurl finds them: through its reflection service.
// Tests that must cover "every RPC" enumerate from here, so a new method cannot be left out.

export interface ServedMethod {
  /** `/package.Service/Method`, the HTTP/2 path. */
  path: string;
  clientStreaming: boolean;
  serverStreaming: boolean;
}

interface ReflectionResponse {
  listServicesResponse?: { service: Array<{ name: string }> };
  fileDescriptorResponse?: { fileDescriptorProto: Buffer[] };
  errorResponse?: { errorCode: number; errorMessage: string };
}

type ReflectionStream = {
  write(request: object): void;
  end(): void;
  on(event: 'data', listener: (response: ReflectionResponse) => void): void;
  on(event: 'error', listener: (error: ServiceError) => void): void;
};

const require = createRequire(import.meta.url);
const PROTO = require.resolve('@grpc/reflection/build/proto/grpc/reflection/v1/reflection.proto');

/** Asks one question on a fresh reflection stream and returns the answer. */
function ask(client: { ServerReflectionInfo(metadata: Metadata): ReflectionStream }, metadata: Metadata, request: object): Promise<ReflectionResponse> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo(metadata);
    stream.on('data', (response) => {
      resolve(response);
      stream.end();
    });
    stream.on('error', reject);
    stream.write(request);
  });
}

/** Every method of every service the server at `address` lists through reflection v1 (plaintext). */
export async function servedMethods(address: string, metadata: Metadata): Promise<ServedMethod[]> {
  const definition = loadSync(PROTO, { keepCase: false, longs: String, defaults: true, oneofs: true });
  const pkg = loadPackageDefinition(definition) as unknown as { grpc: { reflection: { v1: { ServerReflection: new (a: string, c: unknown) => { ServerReflectionInfo(m: Metadata): ReflectionStream; close(): void } } } } };
  const client = new pkg.grpc.reflection.v1.ServerReflection(address, credentials.createInsecure());
  try {
    const listed = await ask(client, metadata, { listServices: '' });
    const services = (listed.listServicesResponse?.service ?? []).map((s) => s.name);
    const methods: ServedMethod[] = [];
    for (const service of services) {
      const answer = await ask(client, metadata, { fileContainingSymbol: service });
      const files = (answer.fileDescriptorResponse?.fileDescriptorProto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
      const found = files.flatMap((file) => file.service.map((s) => ({ file, s }))).find(({ file, s }) => `${file.package}.${s.name}` === service);
      if (found === undefined) throw new Error(`reflection gave no descriptor for ${service}: ${JSON.stringify(answer.errorResponse)}`);
      for (const m of found.s.method) methods.push({ path: `/${service}/${m.name}`, clientStreaming: m.clientStreaming, serverStreaming: m.serverStreaming });
    }
    return methods;
  } finally {
    client.close();
  }
}
