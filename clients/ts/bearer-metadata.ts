import { Metadata } from '@grpc/grpc-js';

/** The call metadata the service's auth expects (`authorization: Bearer <token>`, scope "watch"). */
export function bearerMetadata(token: string): Metadata {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
}
