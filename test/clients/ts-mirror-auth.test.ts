// InstrumentMirror with the service's bearer-token auth (in-process server, no exchanges): the
// token reaches the server through the metadata option, and auth failures stop the mirror with
// the server's message instead of retrying forever.
import { status, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearerMetadata, InstrumentMirror, type MirrorOptions } from '../../clients/ts/index.js';
import { startHarness, type Harness } from '../support/service-harness.js';
import { PATIENCE_MS } from '../support/wait-for.js';

const READER = 'reader-token-0123456789';
const WATCHER = 'watcher-token-0123456789';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({}, { auth: { enabled: true, tokensFile: undefined } }, {
    env: { INSTRUMENTS_AUTH_TOKENS: `reader:${READER}:read;watcher:${WATCHER}:watch` },
  });
});
afterAll(() => h?.close());

async function failure(options: MirrorOptions): Promise<{ error: ServiceError; streams: number }> {
  // A 1 ms backoff (test input): a retry, were there one, would come at once and be counted.
  const mirror = new InstrumentMirror(h.client, { ...options, backoff: { initialMs: 1, maxMs: 1 } }).start();
  const error = (await mirror.failed) as ServiceError;
  await expect(mirror.waitSynced()).rejects.toBe(error);
  return { error, streams: mirror.counters.streams };
}

describe('InstrumentMirror with bearer tokens', () => {
  it('without a token: stops with UNAUTHENTICATED after one attempt', async () => {
    const { error, streams } = await failure({});
    expect([error.code, error.details, streams]).toEqual([status.UNAUTHENTICATED, 'missing bearer token: send metadata "authorization: Bearer <token>"', 1]);
  });

  it('with a token lacking the watch scope: stops with PERMISSION_DENIED after one attempt', async () => {
    const { error, streams } = await failure({ metadata: bearerMetadata(READER) });
    expect([error.code, streams]).toEqual([status.PERMISSION_DENIED, 1]);
    expect(error.details).toBe('token "reader" may not call instruments.v1.InstrumentService/WatchChanges (scope "watch"); its scopes: read');
  });

  it.each([
    ['metadata', bearerMetadata(WATCHER)],
    ['a metadata function', () => bearerMetadata(WATCHER)],
  ])('with a watch token as %s: syncs (an empty server, revision 0)', async (_how, metadata) => {
    const mirror = new InstrumentMirror(h.client, { metadata }).start();
    await mirror.waitSynced(PATIENCE_MS);
    expect([mirror.synced, mirror.size, mirror.revision, mirror.error]).toEqual([true, 0, 0, undefined]);
    mirror.close();
  });
});
