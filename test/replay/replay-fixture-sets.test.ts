import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { readRawJson, TARDIS_DIR } from '../support/fixtures.js';

const SHARED_URL = 'https://example.test/api/list?kind=all';

/** Writes a one-URL fixture set; `sha` stands in for the index's sha256 field. */
async function writeSet(dir: string, body: string, sha: string | null, url = SHARED_URL): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'body.json'), body);
  const index = {
    exchange: 'example',
    urls: { [url]: { file: 'body.json', status: 200, contentType: 'application/json', sha256: sha } },
  };
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
}

describe('sets in a temporary root', () => {
  let root: string;
  let server: ReplayServer;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'replay-sets-'));
    await writeSet(path.join(root, 'alpha'), '{"v":"alpha"}', 'aaa');
    await writeSet(path.join(root, 'beta'), '{"v":"beta"}', 'bbb');
    await writeSet(path.join(root, 'same'), '{"v":"alpha"}', 'aaa');
    await writeSet(path.join(root, 'unhashed'), '{"v":"unhashed"}', null, 'https://example.test/other');
    await mkdir(path.join(root, 'not-a-set'));
    server = await startReplayServer({ fixturesDir: root });
  });

  afterAll(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('mounts only folders with an index.json', () => {
    expect(server.prefixes()).toEqual(['alpha', 'beta', 'same', 'unhashed']);
  });

  it('serves a URL only one set records on the global path, hash or not', async () => {
    const res = await fetch(`${server.url}https://example.test/other`);
    expect(await res.text()).toBe('{"v":"unhashed"}');
  });

  it('refuses to guess on the global path when sets record a URL differently', async () => {
    const res = await fetch(server.proxyUrlFor() + encodeURIComponent(SHARED_URL));
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('alpha, beta, same');
    const beta = await fetch(server.proxyUrlFor('beta') + encodeURIComponent(SHARED_URL));
    expect(await beta.text()).toBe('{"v":"beta"}');
  });

  it('reads a body once and serves it from memory afterwards', async () => {
    const url = server.proxyUrlFor('alpha') + encodeURIComponent(SHARED_URL);
    expect(await (await fetch(url)).text()).toBe('{"v":"alpha"}');
    await rm(path.join(root, 'alpha', 'body.json'));
    expect(await (await fetch(url)).text()).toBe('{"v":"alpha"}');
  });

  it('accepts nested prefixes from mount()', async () => {
    await server.mount('/scenario/one/', path.join(root, 'beta'));
    expect(server.proxyUrlFor('scenario/one')).toBe(`${server.url}scenario/one/`);
    const res = await fetch(server.proxyUrlFor('scenario/one') + encodeURIComponent(SHARED_URL));
    expect(await res.text()).toBe('{"v":"beta"}');
    expect(server.requestLog().at(-1)).toMatchObject({ prefix: 'scenario/one', url: SHARED_URL, status: 200 });
  });

  it('reports a missing body file as a 500, not a hang', async () => {
    await writeSet(path.join(root, 'broken'), '{}', 'ccc');
    await rm(path.join(root, 'broken', 'body.json'));
    await server.mount('broken', path.join(root, 'broken'));
    const res = await fetch(server.proxyUrlFor('broken') + encodeURIComponent(SHARED_URL));
    expect(res.status).toBe(500);
  });
});

describe('a directory that is itself a set (tardis)', () => {
  it('is mounted under its folder name and on the global path', async () => {
    const server = await startReplayServer({ fixturesDir: TARDIS_DIR });
    try {
      expect(server.prefixes()).toEqual(['tardis']);
      expect(() => server.exchangeFor('tardis')).toThrow(/names no ccxt exchange/);
      const url = 'https://api.tardis.dev/v1/instruments/deribit/BTC-14FEB25';
      for (const base of [server.proxyUrlFor(), server.proxyUrlFor('tardis')]) {
        const res = await fetch(`${base}${url}`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual(readRawJson('tardis/deribit_BTC-14FEB25.json'));
      }
    } finally {
      await server.close();
    }
  });
});

describe('options', () => {
  it('mounts explicit prefix → set directories and closes idempotently', async () => {
    const server = await startReplayServer({ sets: { 'my-tardis': TARDIS_DIR } });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect(server.prefixes()).toEqual(['my-tardis']);
    // Explicit mounts are prefix-only; the global path knows nothing.
    const url = 'https://api.tardis.dev/v1/instruments/deribit/BTC_USDC';
    expect((await fetch(`${server.url}${url}`)).status).toBe(404);
    expect((await fetch(`${server.proxyUrlFor('my-tardis')}${url}`)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
  });
});
