import type { Server } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { protoPath as healthProtoPath } from 'grpc-health-check';
import { join } from 'node:path';
import { packageRoot } from '../adapters/package-root.js';

// Reflection answers from the same .proto files the code is generated from, so grpcurl can
// list and describe the service (and health) with no local proto files.
export function addReflection(server: Server): void {
  const definition = loadSync(['instruments/v1/instrument_service.proto', healthProtoPath], {
    includeDirs: [join(packageRoot(), 'proto')],
  });
  new ReflectionService(definition).addToServer(server);
}
