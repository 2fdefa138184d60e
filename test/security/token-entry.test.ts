import { describe, expect, it } from 'vitest';
import { parseTokenEntry, SCOPES } from '../../src/domain/token-entry.js';

const TOKEN = 'k3y-0123456789abcdef';

describe('parseTokenEntry', () => {
  it('takes name:token with every scope', () => {
    expect(parseTokenEntry(`trader:${TOKEN}`)).toEqual({ ok: true, entry: { name: 'trader', token: TOKEN, scopes: [...SCOPES] } });
  });

  it('takes name:token:scopes, trimmed and deduplicated', () => {
    expect(parseTokenEntry(`  dash:${TOKEN}: http , read,http `)).toEqual({ ok: true, entry: { name: 'dash', token: TOKEN, scopes: ['http', 'read'] } });
  });

  it.each([
    ['no token', 'trader', /malformed entry: expected name:token or name:token:scope1,scope2/],
    ['too many fields', `a:${TOKEN}:read:x`, /malformed entry/],
    ['empty name', `:${TOKEN}`, /the name must be letters/],
    ['empty token', 'a::read', /the token is empty/],
    ['space in token', 'a:0123456789 abcdefgh', /printable ASCII without spaces/],
    ['empty scope list', `a:${TOKEN}:`, /empty scope in the scope list of "a"/],
    ['short token', 'svc:short-secret', /the token of "svc" is shorter than 16 characters/],
    ['unknown scope', `svc:${TOKEN}:read,wach`, /unknown scope "wach" for "svc"; accepted: read, watch, reflection, http/],
  ])('rejects %s without echoing the token', (_, text, reason) => {
    const parsed = parseTokenEntry(text);
    expect(parsed.ok).toBe(false);
    const message = parsed.ok ? '' : parsed.reason;
    expect(message).toMatch(reason);
    for (const secret of [TOKEN, 'short-secret', '0123456789 abcdefgh']) expect(message).not.toContain(secret);
  });

  it('does not echo a name field that may be a swapped token', () => {
    const parsed = parseTokenEntry(`${TOKEN}!:x`);
    expect(parsed.ok ? '' : parsed.reason).toMatch(/name must be/);
    expect(parsed.ok ? '' : parsed.reason).not.toContain(TOKEN);
  });
});
