import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures: `v1=` + hex HMAC-SHA256 over `${timestamp}.${body}` (Stripe's scheme).
 * Signing the timestamp with the body means a captured request cannot be replayed once the
 * timestamp falls outside the receiver's tolerance.
 */

export type WebhookVerification = { ok: true } | { ok: false; reason: string };

export interface VerifyOptions {
  /** The receiver's clock, unix seconds. */
  nowSeconds: number;
  /** How far the timestamp may be from now, either way; default 300 s. */
  toleranceSeconds?: number;
}

const SIGNATURE = /^v1=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,15}$/;

/** The signature header value for `body` sent at `timestamp` (unix seconds). */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) {
    throw new RangeError(`webhook timestamp must be whole unix seconds, got ${timestamp}`);
  }
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Checks a received request's timestamp and signature headers against its raw body. */
export function verifyWebhook(
  secret: string,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  body: string,
  options: VerifyOptions,
): WebhookVerification {
  if (timestampHeader === undefined || !TIMESTAMP.test(timestampHeader)) {
    return { ok: false, reason: 'missing or malformed timestamp' };
  }
  const timestamp = Number(timestampHeader);
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(options.nowSeconds - timestamp) > tolerance) {
    return { ok: false, reason: `timestamp is more than ${tolerance} s from now` };
  }
  if (signatureHeader === undefined || !SIGNATURE.test(signatureHeader)) {
    return { ok: false, reason: 'missing or malformed signature' };
  }
  // Both are 32 bytes here (the format was checked), as timingSafeEqual requires.
  const expected = Buffer.from(signWebhook(secret, timestamp, body).slice(3), 'hex');
  const given = Buffer.from(signatureHeader.slice(3), 'hex');
  return timingSafeEqual(expected, given) ? { ok: true } : { ok: false, reason: 'signature does not match' };
}
