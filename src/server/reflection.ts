import type { Server } from '@grpc/grpc-js';
import type { EnumTypeDefinition, PackageDefinition } from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../adapters/package-root.js';

// Reflection answers from the FileDescriptorSets `buf build` writes next to the generated code
// (ours and grpc.health.v1's), byte for byte. Going through proto-loader (from .proto files or from the set) re-derives the
// descriptors and drops files and well-known imports (grpc-node #2958, #3018), which breaks
// grpcurl's describe; @grpc/reflection only needs each file's encoded FileDescriptorProto.

function readVarint(bytes: Uint8Array, at: number): [value: number, next: number] {
  let value = 0;
  let shift = 0;
  for (let i = at; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    value += (byte & 0x7f) * 2 ** shift;
    if ((byte & 0x80) === 0) return [value, i + 1];
    shift += 7;
  }
  throw new Error('descriptor set ends inside a varint');
}

/** The `file` entries (field 1, length-delimited) of an encoded google.protobuf.FileDescriptorSet. */
export function splitFileDescriptorSet(set: Uint8Array): Uint8Array[] {
  const files: Uint8Array[] = [];
  for (let at = 0; at < set.length;) {
    const [tag, afterTag] = readVarint(set, at);
    if (tag !== ((1 << 3) | 2)) throw new Error(`unexpected field tag ${tag} in FileDescriptorSet`);
    const [length, start] = readVarint(set, afterTag);
    files.push(set.subarray(start, start + length));
    at = start + length;
  }
  return files;
}

function descriptorEntry(file: string): EnumTypeDefinition {
  const set = readFileSync(join(packageRoot(), 'gen', 'descriptor', file));
  // Only fileDescriptorProtos is read by the reflection service; the rest satisfies the type.
  return {
    format: 'Protocol Buffer 3 EnumDescriptorProto', type: {},
    fileDescriptorProtos: splitFileDescriptorSet(set).map((f) => Buffer.from(f)),
  };
}

export function addReflection(server: Server): void {
  const definition: PackageDefinition = {
    'instruments.v1': descriptorEntry('instruments.binpb'),
    'grpc.health.v1': descriptorEntry('health.binpb'),
  };
  new ReflectionService(definition).addToServer(server);
}
