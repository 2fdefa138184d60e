import { invalidArgument } from './service-error.js';

// Pages are cut by instrument_key order: the token carries the last key served, so paging stays
// correct while the store changes (no instrument is served twice; new keys past the cursor show
// up). It also carries the filter's fingerprint so it cannot be reused with another filter.

interface TokenBody {
  a: string;
  f: string;
}

export function encodePageToken(afterKey: string, fingerprint: string): string {
  return Buffer.from(JSON.stringify({ a: afterKey, f: fingerprint } satisfies TokenBody)).toString('base64url');
}

export function decodePageToken(token: string, fingerprint: string): string {
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    body = undefined;
  }
  const t = body as Partial<TokenBody> | undefined;
  if (typeof t !== 'object' || t === null || typeof t.a !== 'string' || typeof t.f !== 'string') {
    throw invalidArgument('page_token is not one this service issued: pass next_page_token from the previous response unchanged, or empty for the first page');
  }
  if (t.f !== fingerprint) {
    throw invalidArgument('page_token was issued for a different filter: keep the filter unchanged while paging, or start again with an empty page_token');
  }
  return t.a;
}
