import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config-load.js';
import { ConfigError, DEFAULT_CONFIG } from '../../src/app/config.js';

const dir = mkdtempSync(join(tmpdir(), 'config-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const problems = (sources: Parameters<typeof loadConfig>[0]): string => {
  try {
    loadConfig(sources);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected the config to be refused');
};

describe('precedence: file < environment < flags', () => {
  const yaml = file('layers.yaml', 'server:\n  listen: 127.0.0.1:1111\nlive:\n  update_interval_seconds: 60\n  exchanges:\n    okx:\n      ccxt: { options: { defaultUnderlying: [BTC-USD] } }\n    dydx: {}\nlogging:\n  level: warn\n');

  it('takes the file over the defaults', () => {
    const config = loadConfig({ file: yaml });
    expect([config.listen, config.refresh.intervalSeconds, config.logLevel, Object.keys(config.exchanges)]).toEqual(['127.0.0.1:1111', 60, 'warn', ['okx', 'dydx']]);
    expect(config.http.listen).toBe(DEFAULT_CONFIG.http.listen);
  });

  it('takes the environment over the file', () => {
    const config = loadConfig({ file: yaml, env: { INSTRUMENTS_SERVER_LISTEN: '127.0.0.1:2222', INSTRUMENTS_LIVE_UPDATE_INTERVAL_SECONDS: '30', INSTRUMENTS_AUTH_ENABLED: 'true', INSTRUMENTS_AUTH_TOKENS_FILE: '/run/tokens' } });
    expect([config.listen, config.refresh.intervalSeconds, config.logLevel, config.auth]).toEqual(['127.0.0.1:2222', 30, 'warn', { enabled: true, tokensFile: '/run/tokens' }]);
  });

  it('takes flags over the environment', () => {
    const config = loadConfig({
      file: yaml,
      env: { INSTRUMENTS_SERVER_LISTEN: '127.0.0.1:2222', INSTRUMENTS_LIVE_UPDATE_INTERVAL_SECONDS: '30' },
      flags: [['server.listen', '127.0.0.1:3333', '--listen'], ['live.update_interval_seconds', '5', '--refresh-interval']],
    });
    expect([config.listen, config.refresh.intervalSeconds]).toEqual(['127.0.0.1:3333', 5]);
  });

  it('narrows the exchanges from a list, keeping the file\'s settings for the ids it names', () => {
    const config = loadConfig({ file: yaml, env: { INSTRUMENTS_LIVE_EXCHANGES: 'okx,binance' } });
    expect(config.exchanges).toEqual({ okx: { ccxt: { options: { defaultUnderlying: ['BTC-USD'] } }, sandbox: false }, binance: { ccxt: {}, sandbox: false } });
  });

  it('maps the seed\'s sections: historical path and url, monitoring webhook, cache TTL, TLS', () => {
    const config = loadConfig({ file: file('full.yaml', [
      'historical: { enabled: true, fallback: false, path: [a.json, dir], url: https://api.tardis.dev/v1/instruments/deribit }',
      'monitoring: { enabled: true, alert_on_changes: true, webhook_url: https://hooks.example/x }',
      'live: { cache_ttl_seconds: 120 }',
      'server: { tls: { cert_file: s.crt, key_file: s.key, client_ca_file: ca.crt } }',
    ].join('\n')) });
    expect(config.historicalSources).toEqual(['a.json', 'dir', 'https://api.tardis.dev/v1/instruments/deribit']);
    expect([config.historyFallback, config.webhookUrl, config.cacheTtlSeconds]).toEqual([false, 'https://hooks.example/x', 120]);
    expect(config.tls).toEqual({ certFile: 's.crt', keyFile: 's.key', clientCaFile: 'ca.crt' });
  });

  it('turns sections off: historical and monitoring disabled contribute nothing, live disabled has no exchanges', () => {
    const config = loadConfig({ file: file('off.yaml', 'historical: { enabled: false, path: x }\nmonitoring: { enabled: false, webhook_url: https://h.example/ }\nlive: { enabled: false }\n') });
    expect([config.historicalSources, config.webhookUrl, config.exchanges]).toEqual([[], undefined, {}]);
  });
});

describe('every kind of invalid configuration names where, the value and what is accepted', () => {
  it.each([
    ['an unknown key', 'server:\n  listn: 1.2.3.4:5\n', /c\.yaml: server\.listn is not a known key \(did you mean listen\?\); accepted: listen, tls, keepalive, shutdown_grace_seconds, max_request_bytes$/m],
    ['an unknown section', 'exchanges:\n  binance: {}\n', /c\.yaml: exchanges is not a known key; accepted: server, auth, http, live, historical, watch, monitoring, logging, data_dir/],
    ['a wrong type', 'live:\n  update_interval_seconds: soon\n', /c\.yaml: live\.update_interval_seconds is "soon"; accepted: a number ≥ 0\.1/],
    ['a value out of range', 'live:\n  jitter_ratio: 2\n', /live\.jitter_ratio is 2; accepted: a number ≥ 0 and ≤ 0\.5/],
    ['a value not in the enum', 'logging:\n  format: xml\n', /logging\.format is "xml"; accepted: one of "auto", "json", "pretty"/],
    ['a bad address', 'server:\n  listen: localhost\n', /server\.listen is "localhost"; accepted: a host:port address/],
    ['an unknown exchange id', 'live:\n  exchanges:\n    binanse: {}\n', /live\.exchanges: "binanse" is not a CCXT exchange id \(did you mean binance/],
    ['an unknown exchange setting', 'live:\n  exchanges:\n    binance:\n      ccxt_options: {}\n', /live\.exchanges\.binance\.ccxt_options is not a known key; accepted: ccxt, sandbox/],
    ['a credential in the file', 'live:\n  exchanges:\n    binance:\n      ccxt: { apiKey: abc }\n', /live\.exchanges\.binance\.ccxt\.apiKey is not accepted: credentials come only from the environment \(BINANCE_API_KEY, BINANCE_SECRET\)/],
    ['TLS without its key', 'server:\n  tls:\n    cert_file: a.crt\n', /server\.tls\.key_file is missing; accepted: a non-empty string/],
    ['monitoring without a webhook', 'monitoring:\n  enabled: true\n', /monitoring\.webhook_url is missing; it is required when monitoring\.enabled/],
    ['a non-http webhook', 'monitoring:\n  webhook_url: ftp://x/y\n', /monitoring\.webhook_url is "ftp:\/\/x\/y"; accepted: an http\(s\) URL/],
    ['YAML that is not a mapping', '- a\n- b\n', /the top level must be a mapping of sections/],
    ['broken YAML', 'live: [unclosed\n', /c\.yaml is not valid YAML/],
  ])('%s', (_name, text, message) => {
    expect(problems({ file: file('c.yaml', text) })).toMatch(message);
  });

  it('lists every problem at once', () => {
    const text = problems({ file: file('c.yaml', 'server: { listen: 5 }\nlogging: { level: loud }\n') });
    expect(text.split('\n')).toHaveLength(2);
  });

  it('names the environment variable a bad value came from, and refuses unknown INSTRUMENTS_ variables', () => {
    expect(problems({ env: { INSTRUMENTS_LIVE_UPDATE_INTERVAL_SECONDS: 'soon' } })).toBe('env INSTRUMENTS_LIVE_UPDATE_INTERVAL_SECONDS: live.update_interval_seconds is "soon"; accepted: a number ≥ 0.1');
    expect(problems({ env: { INSTRUMENTS_SERVER_LISTN: 'x:1' } })).toMatch(/^environment: INSTRUMENTS_SERVER_LISTN is not a setting \(did you mean INSTRUMENTS_SERVER_LISTEN\?\)/);
    expect(loadConfig({ env: { INSTRUMENTS_AUTH_TOKENS: 'a:b', INSTRUMENTS_WEBHOOK_SECRET: 'x', INSTRUMENTS_CONFIG: 'y' } }).listen).toBe(DEFAULT_CONFIG.listen);
  });

  it('names the flag a bad value came from', () => {
    expect(problems({ flags: [['live.exchanges', 'notanexchange', '--exchanges']] })).toMatch(/^--exchanges: live\.exchanges: "notanexchange" is not a CCXT exchange id/);
    expect(problems({ flags: [['server.nope', '1', '--set server.nope']] })).toBe('--set server.nope: server.nope is not a known key');
  });
});

describe('store', () => {
  it('is embedded by default, and a redis:// URL turns on Redis mode with its settings', () => {
    expect(DEFAULT_CONFIG.store).toEqual({ mode: 'embedded' });
    const config = loadConfig({ env: { INSTRUMENTS_STORE: 'redis://:pw@10.0.0.5:6380/2', INSTRUMENTS_REDIS_REPLICA_ID: 'eu-1', INSTRUMENTS_REDIS_LEASE_SECONDS: '4' } });
    expect(config.store).toEqual({
      mode: 'redis', url: 'redis://:pw@10.0.0.5:6380/2', replicaId: 'eu-1', keyPrefix: 'live-instruments', leaseSeconds: 4, streamMaxEntries: 1000, commandTimeoutSeconds: 2,
    });
  });

  it('refuses anything else, saying what is accepted', () => {
    expect(problems({ file: file('s.yaml', 'store: postgres://db/instruments\n') })).toMatch(/store .*accepted: `embedded` or a redis:\/\/ \(rediss:\/\/ for TLS\) URL/);
    expect(problems({ file: file('s.yaml', 'store: embedded\nredis: { replica_id: "a b" }\n') })).toMatch(/redis\.replica_id .*accepted: letters, digits, and \. _ : -/);
  });
});
