/**
 * Splits a replay request path into the mount prefix and the original exchange URL.
 *
 * ccxt (4.5.84) builds `proxyUrl + target`, where target is the original URL unchanged when
 * it has no query string, and `encodeURIComponent(url)` when it has one. With a proxyUrl of
 * `http://host:port/<prefix>/` the server therefore sees `/<prefix>/<target>`.
 */
export interface RequestTarget {
  /** Mount prefix without slashes (may contain `/` for nested prefixes); null when absent. */
  readonly prefix: string | null;
  /** The original URL, as keyed in index.json. */
  readonly url: string;
}

// The target starts at the first path segment that looks like an absolute http(s) URL,
// raw or percent-encoded. Prefix segments never start with `http:`/`https:`.
const TARGET_START = /(?:^|\/)(https?(?::|%3A))/i;

/** Returns null when the path holds no recognisable target or is badly encoded. */
export function parseRequestTarget(requestPath: string): RequestTarget | null {
  const rest = requestPath.startsWith('/') ? requestPath.slice(1) : requestPath;
  const match = TARGET_START.exec(rest);
  if (match === null) return null;
  const schemeAt = match.index + (match[0].startsWith('/') ? 1 : 0);
  const rawPrefix = rest.slice(0, schemeAt).replace(/\/+$/, '');
  const rawTarget = rest.slice(schemeAt);
  try {
    // Only an encoded target is decoded: a raw URL may legitimately contain `%xx` escapes.
    const encoded = /^https?%3A/i.test(rawTarget);
    const url = encoded ? decodeURIComponent(rawTarget) : rawTarget;
    const prefix = rawPrefix === '' ? null : rawPrefix.split('/').map((segment) => decodeURIComponent(segment)).join('/');
    return { prefix, url };
  } catch {
    return null; // malformed percent-encoding
  }
}

/** Path part of a proxyUrl for `prefix` (each segment encoded, trailing slash kept). */
export function prefixPath(prefix: string | null | undefined): string {
  if (prefix === null || prefix === undefined) return '';
  const segments = normalizePrefix(prefix).split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return '';
  // `@` is legal in a path segment; keeping it makes `binance@2022-12-17` readable in logs.
  const encoded = segments.map((segment) => encodeURIComponent(segment).replace(/%40/g, '@'));
  return `${encoded.join('/')}/`;
}

/** Canonical form of a prefix given by a caller: no leading/trailing slashes. */
export function normalizePrefix(prefix: string): string {
  return prefix.split('/').filter((segment) => segment !== '').join('/');
}
