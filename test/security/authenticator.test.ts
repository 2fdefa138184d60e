import type * as Crypto from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';

// Counts the digest comparisons, to show every stored digest is compared whichever token matches.
const compare = vi.hoisted(() => ({ calls: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof Crypto>();
  return {
    ...actual,
    timingSafeEqual: (a: NodeJS.ArrayBufferView, b: NodeJS.ArrayBufferView) => {
      compare.calls += 1;
      return actual.timingSafeEqual(a, b);
    },
  };
});

const { Authenticator } = await import('../../src/domain/authenticator.js');

const TRADER = 'trader-token-0123456789';
const DASH = 'dashboard-token-abcdefgh';
const auth = new Authenticator([
  { name: 'trader', token: TRADER, scopes: ['read', 'watch', 'reflection', 'http'] },
  { name: 'dashboard', token: DASH, scopes: ['http'] },
  { name: 'third', token: 'third-token-zyxwvutsrq', scopes: ['read'] },
]);
const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('Authenticator.check', () => {
  it('accepts a known bearer token with the scope, scheme in any case', () => {
    expect(auth.check(`Bearer ${TRADER}`, 'read')).toEqual({ ok: true, name: 'trader' });
    expect(auth.check(`bEaReR   ${TRADER} `, 'watch')).toEqual({ ok: true, name: 'trader' });
  });

  it('accepts Basic credentials with the token as password, any user name', () => {
    expect(auth.check(basic('anyone', DASH), 'http')).toEqual({ ok: true, name: 'dashboard' });
    expect(auth.check(basic('', DASH), 'http')).toEqual({ ok: true, name: 'dashboard' });
  });

  it('says how to send a token when there is none', () => {
    for (const header of [undefined, '', '  ', 'Bearer ', basic('user', '')]) {
      expect(auth.check(header, 'read')).toEqual({ ok: false, code: 'UNAUTHENTICATED', message: 'missing bearer token: send metadata "authorization: Bearer <token>"' });
    }
    expect(auth.check(undefined, 'http')).toMatchObject({ message: 'missing bearer token: send header "authorization: Bearer <token>"' });
  });

  it.each([
    ['an unknown token', 'Bearer not-a-configured-token-1234', /^unknown bearer token$/],
    ['a prefix of a token', `Bearer ${TRADER.slice(0, -1)}`, /^unknown bearer token$/],
    ['a token without a scheme', TRADER, /has no scheme/],
    ['another scheme', `Token ${TRADER}`, /unsupported authorization scheme/],
    ['malformed Basic', `Basic ${TRADER}!`, /malformed Basic credentials/],
    ['Basic without a colon', `Basic ${Buffer.from(TRADER).toString('base64')}`, /malformed Basic credentials/],
  ])('rejects %s as UNAUTHENTICATED without echoing it', (_, header, message) => {
    const decision = auth.check(header, 'read');
    expect(decision).toMatchObject({ ok: false, code: 'UNAUTHENTICATED', message: expect.stringMatching(message) });
    const text = JSON.stringify(decision);
    for (const secret of [TRADER, DASH, 'not-a-configured-token-1234']) expect(text).not.toContain(secret);
  });

  it('denies a token without the scope, naming the token, the action and its scopes', () => {
    expect(auth.check(`Bearer ${DASH}`, 'watch', 'call instruments.v1.InstrumentService/WatchChanges')).toEqual({
      ok: false, code: 'PERMISSION_DENIED',
      message: 'token "dashboard" may not call instruments.v1.InstrumentService/WatchChanges (scope "watch"); its scopes: http',
    });
    expect(auth.check(`Bearer ${DASH}`, 'read')).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('may not access this (scope "read")') });
  });

  it('compares the presented token with every stored digest, whichever matches', () => {
    for (const header of [`Bearer ${TRADER}`, `Bearer ${DASH}`, 'Bearer unknown-token-0000000000', 'Bearer x']) {
      compare.calls = 0;
      auth.check(header, 'http');
      expect(compare.calls, header).toBe(3);
    }
  });
});
