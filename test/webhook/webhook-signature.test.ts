import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from '../../src/domain/webhook-signature.js';

const secret = 'whsec_test_3f9a';
const body = '{"revision":7,"changes":[]}';
const now = 1_760_000_000;

describe('webhook signature', () => {
  it('is v1= and the hex HMAC-SHA256 of "timestamp.body"', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body}`).digest('hex');
    expect(signWebhook(secret, now, body)).toBe(`v1=${expected}`);
  });

  it('verifies what it signed, within the tolerance either way', () => {
    const signature = signWebhook(secret, now, body);
    expect(verifyWebhook(secret, String(now), signature, body, { nowSeconds: now })).toEqual({ ok: true });
    expect(verifyWebhook(secret, String(now), signature, body, { nowSeconds: now + 300 })).toEqual({ ok: true });
    expect(verifyWebhook(secret, String(now), signature, body, { nowSeconds: now - 300 })).toEqual({ ok: true });
  });

  it('rejects a tampered body, a wrong secret or a re-signed timestamp', () => {
    const signature = signWebhook(secret, now, body);
    const reject = { ok: false, reason: 'signature does not match' };
    expect(verifyWebhook(secret, String(now), signature, body.replace('7', '8'), { nowSeconds: now })).toEqual(reject);
    expect(verifyWebhook('whsec_other', String(now), signature, body, { nowSeconds: now })).toEqual(reject);
    // A replay with a fresh timestamp header but the old signature.
    expect(verifyWebhook(secret, String(now + 60), signature, body, { nowSeconds: now + 60 })).toEqual(reject);
  });

  it('rejects an old or far-future timestamp even when correctly signed', () => {
    const old = now - 301;
    const result = verifyWebhook(secret, String(old), signWebhook(secret, old, body), body, { nowSeconds: now });
    expect(result).toEqual({ ok: false, reason: 'timestamp is more than 300 s from now' });
    const future = now + 61;
    expect(verifyWebhook(secret, String(future), signWebhook(secret, future, body), body, { nowSeconds: now, toleranceSeconds: 60 }).ok).toBe(false);
  });

  it('rejects missing or malformed headers without throwing', () => {
    const signature = signWebhook(secret, now, body);
    const at = { nowSeconds: now };
    expect(verifyWebhook(secret, undefined, signature, body, at)).toEqual({ ok: false, reason: 'missing or malformed timestamp' });
    expect(verifyWebhook(secret, '1.7e9', signature, body, at).ok).toBe(false);
    expect(verifyWebhook(secret, String(now), undefined, body, at)).toEqual({ ok: false, reason: 'missing or malformed signature' });
    expect(verifyWebhook(secret, String(now), signature.slice(0, -2), body, at).ok).toBe(false);
    expect(verifyWebhook(secret, String(now), signature.replace('v1=', 'v0='), body, at).ok).toBe(false);
    expect(verifyWebhook(secret, String(now), signature.toUpperCase(), body, at).ok).toBe(false);
  });

  it('refuses a timestamp that is not whole seconds', () => {
    expect(() => signWebhook(secret, 1.5, body)).toThrow(RangeError);
    expect(() => signWebhook(secret, Date.now() * 1000 * 1000, body)).toThrow(RangeError);
  });
});
