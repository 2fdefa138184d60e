import { createHash, timingSafeEqual } from 'node:crypto';
import type { Scope, TokenEntry } from './token-entry.js';

/**
 * Checks the `authorization` value of a call (gRPC metadata or HTTP header) against the
 * configured tokens. Only SHA-256 digests are kept: a heap dump does not reveal the tokens, and
 * comparing fixed-size digests makes the comparison independent of the presented token's length.
 */

export type AuthDecision =
  | { ok: true; name: string }
  | { ok: false; code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED'; message: string };

type Denial = Extract<AuthDecision, { ok: false }>;
export type Identity = { ok: true; name: string; scopes: ReadonlySet<Scope> } | Denial;

interface StoredToken {
  name: string;
  digest: Buffer;
  scopes: ReadonlySet<Scope>;
}

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();
const unauthenticated = (message: string): Denial => ({ ok: false, code: 'UNAUTHENTICATED', message });
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

export class Authenticator {
  private readonly tokens: StoredToken[];

  /** Entries must have distinct names and tokens (the loader checks, with locations). */
  constructor(entries: readonly TokenEntry[]) {
    this.tokens = entries.map((e) => ({ name: e.name, digest: sha256(e.token), scopes: new Set(e.scopes) }));
  }

  get names(): string[] {
    return this.tokens.map((t) => t.name);
  }

  /**
   * Whether the caller may use `scope`. `action` completes the denial message
   * ("token "x" may not <action> (scope ...)"), e.g. `call instruments.v1.InstrumentService/GetStatus`.
   */
  check(authorization: string | undefined, scope: Scope, action = 'access this'): AuthDecision {
    const identity = this.identify(authorization, scope === 'http' ? 'header' : 'metadata');
    if (!identity.ok) return identity;
    if (identity.scopes.has(scope)) return { ok: true, name: identity.name };
    return {
      ok: false,
      code: 'PERMISSION_DENIED',
      message: `token "${identity.name}" may not ${action} (scope "${scope}"); its scopes: ${[...identity.scopes].join(', ')}`,
    };
  }

  /** Who presents this `authorization` value, without any scope check. */
  identify(authorization: string | undefined, carrier: 'metadata' | 'header' = 'metadata'): Identity {
    const presented = presentedToken(authorization, carrier);
    if (typeof presented !== 'string') return presented;
    const holder = this.find(presented);
    return holder === undefined ? unauthenticated('unknown bearer token') : { ok: true, name: holder.name, scopes: holder.scopes };
  }

  private find(token: string): StoredToken | undefined {
    const digest = sha256(token);
    let found: StoredToken | undefined;
    // Every digest is compared, no early exit: the time taken does not tell which token matched.
    for (const stored of this.tokens) {
      const same = timingSafeEqual(digest, stored.digest);
      found = same ? stored : found;
    }
    return found;
  }
}

/** The token in `Bearer <token>` or `Basic base64(anything:token)`; schemes are case-insensitive. */
function presentedToken(authorization: string | undefined, carrier: 'metadata' | 'header'): string | Denial {
  const missing = unauthenticated(`missing bearer token: send ${carrier} "authorization: Bearer <token>"`);
  const value = authorization?.trim() ?? '';
  if (value === '') return missing;
  const space = value.search(/\s/);
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const credentials = space < 0 ? '' : value.slice(space).trim();
  if (scheme === 'bearer') return credentials === '' ? missing : credentials;
  // Nothing of the value is echoed: without a scheme, the whole value may be the token.
  if (space < 0 && scheme !== 'basic') return unauthenticated(`authorization ${carrier} has no scheme: send "authorization: Bearer <token>"`);
  if (scheme !== 'basic') return unauthenticated(`unsupported authorization scheme: send "authorization: Bearer <token>" (or Basic with the token as password)`);
  if (!BASE64.test(credentials)) return unauthenticated('malformed Basic credentials: expected base64 of "user:token"');
  const decoded = Buffer.from(credentials, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return unauthenticated('malformed Basic credentials: expected base64 of "user:token"');
  const token = decoded.slice(colon + 1);
  return token === '' ? missing : token;
}
