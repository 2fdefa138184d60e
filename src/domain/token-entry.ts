// Access tokens: `name:token` or `name:token:scope1,scope2`; no scopes means every scope.
// Parsing is pure; where entries come from and how errors are located is the loader's business
// (server/load-authenticator.ts). No message here ever contains the token itself.

export const SCOPES = ['read', 'watch', 'reflection', 'http'] as const;
export type Scope = (typeof SCOPES)[number];

export const MIN_TOKEN_LENGTH = 16;

export interface TokenEntry {
  name: string;
  token: string;
  scopes: readonly Scope[];
}

export type ParsedTokenEntry = { ok: true; entry: TokenEntry } | { ok: false; reason: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;
// Printable ASCII without space, ':' (field separator) or ';' (entry separator in the env var).
const TOKEN = /^[!-9<-~]+$/;
const FORMAT = 'expected name:token or name:token:scope1,scope2';

const isScope = (text: string): text is Scope => (SCOPES as readonly string[]).includes(text);
const fail = (reason: string): ParsedTokenEntry => ({ ok: false, reason });

export function parseTokenEntry(text: string): ParsedTokenEntry {
  const fields = text.trim().split(':');
  if (fields.length < 2 || fields.length > 3) return fail(`malformed entry: ${FORMAT}`);
  const [name = '', token = '', scopeList] = fields;
  // The name is not echoed: a swapped entry would put the token there.
  if (!NAME.test(name)) return fail(`malformed entry: the name must be letters, digits, "_", "." or "-"; ${FORMAT}`);
  if (token === '') return fail(`malformed entry: the token is empty; ${FORMAT}`);
  if (!TOKEN.test(token)) return fail('malformed entry: a token is printable ASCII without spaces, ":" or ";"');
  if (token.length < MIN_TOKEN_LENGTH) return fail(`the token of "${name}" is shorter than ${MIN_TOKEN_LENGTH} characters`);
  if (scopeList === undefined) return { ok: true, entry: { name, token, scopes: SCOPES } };
  const scopes = new Set<Scope>();
  for (const raw of scopeList.split(',')) {
    const scope = raw.trim();
    if (scope === '') return fail(`malformed entry: empty scope in the scope list of "${name}" (leave out the list for all scopes)`);
    if (!isScope(scope)) return fail(`unknown scope "${scope}" for "${name}"; accepted: ${SCOPES.join(', ')}`);
    scopes.add(scope);
  }
  return { ok: true, entry: { name, token, scopes: [...scopes] } };
}
