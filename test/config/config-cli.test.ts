import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { ServiceConfig } from '../../src/app/config.js';
import { CLI, REPO_ROOT } from '../support/demo-process.js';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'config-cli-'));

/** Runs the built CLI with a clean INSTRUMENTS_* environment plus `env`. */
async function instruments(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('INSTRUMENTS_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { cwd: REPO_ROOT, env: { ...base, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const file = join(dir, 'layers.yaml');
writeFileSync(file, 'server:\n  listen: 127.0.0.1:1111\nhttp:\n  listen: 127.0.0.1:1112\nlogging:\n  level: warn\n');

describe('instruments config check', () => {
  it('accepts the repository\'s example config, which is what `npm start` runs', async () => {
    const result = await instruments(['config', 'check', '--config', 'instruments.yaml']);
    expect(result.stderr).toMatch(/^config ok: instruments\.yaml; 7 exchanges; gRPC 127\.0\.0\.1:50051 \(plaintext, auth off\); http 127\.0\.0\.1:9464/);
    expect(result.code).toBe(0);
  });

  it('applies file < environment < flags, as the effective settings show', async () => {
    const print = async (env: NodeJS.ProcessEnv, flags: string[]): Promise<ServiceConfig> =>
      JSON.parse((await instruments(['config', 'check', '--config', file, '--print', ...flags], env)).stdout) as ServiceConfig;
    const fromFile = await print({}, []);
    const fromEnv = await print({ INSTRUMENTS_SERVER_LISTEN: '127.0.0.1:2221', INSTRUMENTS_LOGGING_LEVEL: 'debug' }, []);
    const fromFlags = await print({ INSTRUMENTS_SERVER_LISTEN: '127.0.0.1:2221', INSTRUMENTS_LOGGING_LEVEL: 'debug' }, ['--listen', '127.0.0.1:3331', '--set', 'http.listen=127.0.0.1:3332']);
    expect([fromFile.listen, fromFile.http.listen, fromFile.logLevel]).toEqual(['127.0.0.1:1111', '127.0.0.1:1112', 'warn']);
    expect([fromEnv.listen, fromEnv.http.listen, fromEnv.logLevel]).toEqual(['127.0.0.1:2221', '127.0.0.1:1112', 'debug']);
    expect([fromFlags.listen, fromFlags.http.listen, fromFlags.logLevel]).toEqual(['127.0.0.1:3331', '127.0.0.1:3332', 'debug']);
  });

  it('finds the config through INSTRUMENTS_CONFIG', async () => {
    const result = await instruments(['config', 'check', '--print'], { INSTRUMENTS_CONFIG: file });
    expect((JSON.parse(result.stdout) as ServiceConfig).listen).toBe('127.0.0.1:1111');
  });

  it.each([
    ['unknown key', 'live:\n  intervall: 3\n', /live\.intervall is not a known key; accepted: enabled, provider, exchanges/],
    ['wrong type', 'http:\n  enabled: sometimes\n', /http\.enabled is "sometimes"; accepted: true or false/],
    ['unknown exchange', 'live:\n  exchanges:\n    krakn: {}\n', /live\.exchanges: "krakn" is not a CCXT exchange id \(did you mean kraken/],
  ])('exits 2 naming the problem for a %s, and `serve` refuses to start the same way', async (name, text, message) => {
    const bad = join(dir, `${name}.yaml`);
    writeFileSync(bad, text);
    const check = await instruments(['config', 'check', '--config', bad]);
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(message);
    const serve = await instruments(['serve', '--config', bad, '--listen', '127.0.0.1:0']);
    expect(serve.code).toBe(2);
    expect(serve.stderr).toMatch(message);
  });

  it('reads the token and TLS files the settings name', async () => {
    const tokens = join(dir, 'tokens');
    writeFileSync(tokens, 'ops:short\n');
    const short = await instruments(['config', 'check', '--config', file, '--set', 'auth.enabled=true', '--set', `auth.tokens_file=${tokens}`]);
    expect([short.code, short.stderr]).toEqual([2, expect.stringMatching(/auth\.tokens_file ".*tokens" line 1: the token of "ops" is shorter than 16 characters/)]);
    expect(short.stderr).not.toContain('short\n');
    const ok = await instruments(['config', 'check', '--config', file, '--set', 'auth.enabled=true'], { INSTRUMENTS_AUTH_TOKENS: 'ops:0123456789abcdef' });
    expect([ok.code, ok.stderr]).toEqual([0, expect.stringMatching(/auth on, 1 tokens/)]);
    const tls = await instruments(['config', 'check', '--config', file, '--set', `server.tls.cert_file=${join(dir, 'absent.crt')}`, '--set', `server.tls.key_file=${join(dir, 'absent.key')}`]);
    expect([tls.code, tls.stderr]).toEqual([2, expect.stringMatching(/server\.tls\.cert_file: cannot read .*absent\.crt/)]);
  });

  it('exits 2 for a bad environment variable or flag, naming it', async () => {
    const env = await instruments(['config', 'check', '--config', file], { INSTRUMENTS_WATCH_MAX_PENDING_MESSAGES: 'many' });
    expect([env.code, env.stderr]).toEqual([2, expect.stringMatching(/env INSTRUMENTS_WATCH_MAX_PENDING_MESSAGES: watch\.max_pending_messages is "many"; accepted: a whole number ≥ 1/)]);
    const flag = await instruments(['config', 'check', '--config', file, '--log-format', 'xml']);
    expect([flag.code, flag.stderr]).toEqual([2, expect.stringMatching(/--log-format: logging\.format is "xml"; accepted: one of "auto", "json", "pretty"/)]);
  });

  it('never echoes a secret it knows from the environment, even one pasted into the wrong key', async () => {
    const secrets = { INSTRUMENTS_AUTH_TOKENS: 'ops:tok-7c1e93a0b5d24f68', KRAKEN_API_KEY: 'kraken-key-1f0e2d3c4b5a', INSTRUMENTS_WEBHOOK_SECRET: 'whsec-b8a7c6d5e4f3' };
    const pasted = join(dir, 'pasted.yaml');
    writeFileSync(pasted, `live:\n  proxy_url: 7\n  update_interval_seconds: "${Object.values(secrets).join(' ')}"\n`);
    const result = await instruments(['config', 'check', '--config', pasted], secrets);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/live\.update_interval_seconds is "ops:\[redacted\] \[redacted\] \[redacted\]"/);
  });
});
