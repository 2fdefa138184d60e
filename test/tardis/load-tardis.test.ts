// loadTardisDefinitions from a file, a directory and a real loopback HTTP server.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { loadTardisDefinitions } from '../../src/adapters/tardis/load-tardis.js';
import { TARDIS_DIR } from '../support/fixtures.js';
import { readSample, SAMPLE_FILES } from './support/samples.js';

const DERIBIT_FILES = SAMPLE_FILES.filter((f) => f.startsWith('deribit_'));
const deribitList = DERIBIT_FILES.map((f) => readSample(f).record);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'tardis-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('from files', () => {
  it('reads one single-instrument file', async () => {
    const file = path.join(TARDIS_DIR, 'deribit_BTC-14FEB25.json');
    const load = await loadTardisDefinitions(file);
    expect(load.records).toEqual([readSample('deribit_BTC-14FEB25.json').record]);
    expect(load.definitions.map((d) => [d.instrumentKey, d.dataProvider])).toEqual([['DERIBIT:FUTURE:BTC/USD:BTC-250214', 'tardis']]);
    expect(load.rejected).toEqual([]);
  });

  it('reads every *.json of a directory except index.json, keeping each record\'s changes', async () => {
    const load = await loadTardisDefinitions(TARDIS_DIR, { dataProvider: 'tardis-samples' });
    expect(load.records).toHaveLength(SAMPLE_FILES.length);
    expect(load.records.map((r) => r.id).sort()).toEqual(SAMPLE_FILES.map((f) => readSample(f).record.id).sort());
    expect(load.rejected).toEqual([]);
    expect(load.definitions).toHaveLength(SAMPLE_FILES.length);
    expect(new Set(load.definitions.map((d) => d.dataProvider))).toEqual(new Set(['tardis-samples']));
    const spot = load.records.find((r) => r.id === 'BTC_USDC');
    expect(spot?.changes).toEqual(readSample('deribit_BTC_USDC.json').record.changes);
  });

  it('reads a list (the list endpoint\'s form) and reports the entries that do not convert', async () => {
    const file = path.join(dir, 'list.json');
    await writeFile(file, JSON.stringify([...deribitList, { ...deribitList[0], id: 'ODD', type: 'swap' }, 42]));
    const load = await loadTardisDefinitions(file);
    expect(load.records).toHaveLength(deribitList.length + 1);
    expect(load.definitions.map((d) => d.tardisSymbol)).toEqual(deribitList.map((r) => r.id));
    expect(load.rejected).toEqual([
      { id: 'ODD', reason: 'type "swap" is not one of spot, perpetual, future, option, combo' },
      { id: `${file}[${deribitList.length + 1}]`, reason: 'not an instrument object' },
    ]);
  });

  it('names the file holding malformed JSON', async () => {
    const broken = path.join(dir, 'broken');
    await mkdir(broken);
    await writeFile(path.join(broken, 'a.json'), JSON.stringify(deribitList[0]));
    await writeFile(path.join(broken, 'b.json'), '{"id": "BTC-PERPETUAL",');
    await expect(loadTardisDefinitions(broken)).rejects.toThrow(`${path.join(broken, 'b.json')}: malformed JSON`);
  });

  it('names a missing source', async () => {
    await expect(loadTardisDefinitions(path.join(dir, 'nothing.json'))).rejects.toThrow('nothing.json');
  });
});

describe('from an http server', () => {
  let server: Server;
  let base: string;
  const requests: string[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(`${req.method} ${req.url} ${req.headers.accept}`);
      if (req.url === '/v1/instruments/deribit') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deribitList));
      } else if (req.url === '/v1/instruments/deribit/BTC_USDC') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deribitList.find((r) => r.id === 'BTC_USDC')));
      } else if (req.url === '/broken') {
        res.writeHead(200, { 'content-type': 'application/json' }).end('[{"id": ');
      } else {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"code":100,"message":"Unknown exchange"}');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve())));
  });

  it('GETs the list endpoint (an array) as JSON', async () => {
    const load = await loadTardisDefinitions(`${base}/v1/instruments/deribit`);
    expect(requests).toContain('GET /v1/instruments/deribit application/json');
    expect(load.records).toEqual(deribitList);
    expect(load.definitions.map((d) => d.instrumentKey).sort()).toEqual([
      'DERIBIT:COMBO:BTC-FS-28MAR25_PERP',
      'DERIBIT:FUTURE:BTC/USD:BTC-250214',
      'DERIBIT:OPTION:BTC/USD:BTC-250425-200000-P',
      'DERIBIT:SPOT:BTC/USDC',
    ]);
  });

  it('GETs a single-instrument URL', async () => {
    const load = await loadTardisDefinitions(`${base}/v1/instruments/deribit/BTC_USDC`);
    expect(load.definitions.map((d) => d.instrumentKey)).toEqual(['DERIBIT:SPOT:BTC/USDC']);
  });

  it('fails naming the URL and the status on a non-2xx answer', async () => {
    const url = `${base}/v1/instruments/nowhere`;
    await expect(loadTardisDefinitions(url)).rejects.toThrow(`GET ${url} answered HTTP 404 Not Found`);
  });

  it('fails naming the URL on malformed JSON', async () => {
    await expect(loadTardisDefinitions(`${base}/broken`)).rejects.toThrow(`${base}/broken: malformed JSON`);
  });

  it('uses the given fetch', async () => {
    const seen: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      seen.push(String(input));
      return new Response(JSON.stringify(deribitList.slice(0, 1)), { status: 200 });
    };
    const load = await loadTardisDefinitions('https://api.tardis.dev/v1/instruments/deribit', { fetch: fetchStub });
    expect(seen).toEqual(['https://api.tardis.dev/v1/instruments/deribit']);
    expect(load.definitions).toHaveLength(1);
  });
});
