import { describe, expect, it } from 'vitest';
import { webhookSettings } from '../../src/adapters/webhook/webhook-options.js';
import { webhookTarget } from '../../src/adapters/webhook/webhook-target.js';

describe('webhook target', () => {
  it('moves user info into Basic auth and logs only origin and path', () => {
    const target = webhookTarget('https://hook:p%40ss@example.com:8443/in/struments?token=tok_123#frag');
    expect(target).toEqual({
      requestUrl: 'https://example.com:8443/in/struments?token=tok_123',
      authorization: `Basic ${Buffer.from('hook:p@ss').toString('base64')}`,
      logUrl: 'https://example.com:8443/in/struments',
    });
    expect(webhookTarget('http://127.0.0.1:9000/').authorization).toBeUndefined();
  });

  it('refuses other schemes and malformed URLs without repeating them', () => {
    expect(() => webhookTarget('ftp://example.com/')).toThrow('webhook url must be http or https, not ftp:');
    expect(() => webhookTarget('example.com/hook?token=tok_123')).toThrow(/^webhook url is not an absolute URL$/);
  });
});

describe('webhook settings', () => {
  it('applies the defaults', () => {
    expect(webhookSettings({ url: 'http://x/', secret: 's' })).toEqual({
      timeoutMs: 5000,
      backoff: { initialMs: 500, maxMs: 30_000 },
      maxQueuedBatches: 1000,
    });
  });

  it('refuses an empty secret and out-of-range numbers', () => {
    expect(() => webhookSettings({ url: 'http://x/', secret: '' })).toThrow('webhook secret must not be empty');
    expect(() => webhookSettings({ url: 'http://x/', secret: 's', maxQueuedBatches: 0 })).toThrow(/maxQueuedBatches/);
    expect(() => webhookSettings({ url: 'http://x/', secret: 's', initialBackoffMs: 1000, maxBackoffMs: 10 })).toThrow(/maxBackoffMs/);
    expect(() => webhookSettings({ url: 'http://x/', secret: 's', timeoutMs: Number.NaN })).toThrow(/timeoutMs/);
  });
});
