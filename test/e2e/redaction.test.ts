import { Metadata, type ServiceError } from '@grpc/grpc-js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ExchangeState, GetStatusResponse, type InstrumentServiceClient } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { CliProcess } from '../support/demo-process.js';
import { launch, type Served } from '../support/service-harness.js';
import { notYet, PATIENCE_MS, waitFor } from '../support/wait-for.js';

// Every secret the service knows (exchange keys, the webhook secret, auth tokens from the file and
// the environment) is kept out of every log line, metric, status page, event and error, even when
// an exchange and the webhook receiver echo them back in their error bodies.

const SECRETS = {
  OKX_API_KEY: 'okx-key-5f2b8c1e9a7d4410',
  OKX_SECRET: 'okx-secret-0c4e7a9b2d61f3e8',
  DYDX_API_KEY: 'dydx-key-77aa90cc12ee34ff',
  INSTRUMENTS_WEBHOOK_SECRET: 'whsec-3b9d1f7e5a2c8e6d',
};
const OPS_TOKEN = 'ops-token-a8f3d92b17c4e605';
const SCRAPER_TOKEN = 'scrape-token-19e7c3b5d2a4f680';
const ALL = [...Object.values(SECRETS), OPS_TOKEN, SCRAPER_TOKEN];

const dir = mkdtempSync(join(tmpdir(), 'redaction-'));
let echo: Server | undefined;
let served: Served | undefined;
const seen: Array<{ where: string; text: string }> = [];

/** An exchange or webhook receiver that puts every secret it knows into its error body. */
function startEcho(): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    res.writeHead(401, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ code: '50111', msg: `Invalid OK-ACCESS-KEY ${SECRETS.OKX_API_KEY} / ${SECRETS.OKX_SECRET}; webhook ${SECRETS.INSTRUMENTS_WEBHOOK_SECRET}` }));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

beforeAll(async () => {
  echo = await startEcho();
  const echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}/`;
  writeFileSync(join(dir, 'tokens'), `# scraper may only read the HTTP port\nscraper:${SCRAPER_TOKEN}:http\n`);
  // The real binary (secrets come from its environment), dydx from the replay, okx from the echo.
  served = await launch({
    process: 'child', exchanges: ['dydx'], dataDir: true, logLevel: 'debug',
    config: {
      auth: { enabled: true, tokens_file: join(dir, 'tokens') },
      // okx fails and is retried; 0.5 s apart at most, so its second failure comes soon.
      live: { update_interval_seconds: 0.5, retry_max_seconds: 0.5, exchanges: { okx: { ccxt: { proxyUrl: echoUrl } } } },
      monitoring: { enabled: true, webhook_url: `${echoUrl}hook` },
    },
    env: { ...SECRETS, INSTRUMENTS_AUTH_TOKENS: `ops:${OPS_TOKEN}`, INSTRUMENTS_AUTH_TOKENS_FILE: join(dir, 'tokens') },
  });
});
afterAll(async () => {
  await served?.close();
  await new Promise((resolve) => (echo === undefined ? resolve(undefined) : echo.close(resolve)));
  rmSync(dir, { recursive: true, force: true });
});

const bearer = (token: string): Metadata => {
  const metadata = new Metadata();
  metadata.set('authorization', `Bearer ${token}`);
  return metadata;
};

function getStatus(client: InstrumentServiceClient, metadata: Metadata): Promise<GetStatusResponse> {
  return new Promise((resolve, reject) => client.getStatus({}, metadata, (err, res) => (err ? reject(err) : resolve(res))));
}

async function http(path: string, token?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${served?.httpPort}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: await response.text() };
}

/** The first event of the SSE feed (the full status), then the connection is closed. */
async function firstEvent(token: string): Promise<string> {
  const abort = new AbortController();
  const response = await fetch(`http://127.0.0.1:${served?.httpPort}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the event feed ended before its first event: ${JSON.stringify(text)}`);
    text += new TextDecoder().decode(value);
  }
  abort.abort();
  return text;
}

it('no secret appears in any log line, metric, status page, event or error', async () => {
  const { client, logs } = served as Served;
  const cli = (served as Served).cli as CliProcess;
  // Until dydx has loaded and okx has failed twice with its echoing error, and a webhook attempt failed.
  const ready = (s: GetStatusResponse): boolean => s.exchanges.some((e) => e.ccxtExchange === 'dydx' && e.state === ExchangeState.EXCHANGE_STATE_READY) &&
    s.exchanges.some((e) => e.ccxtExchange === 'okx' && e.consecutiveFailures >= 2);
  const status = await waitFor(async () => {
    const s = await getStatus(client, bearer(OPS_TOKEN));
    return ready(s) ? s : notYet(s.exchanges.map((e) => ({ exchange: e.ccxtExchange, state: ExchangeState[e.state], failures: e.consecutiveFailures })));
  }, 'dydx loaded and okx failed twice');
  await (served as Served).logEntry((e) => e.msg === 'webhook delivery failed; retrying the same batch', 'a failed webhook attempt');
  seen.push({ where: 'GetStatus', text: JSON.stringify(GetStatusResponse.toJSON(status)) });
  for (const [name, metadata] of [['no token', new Metadata()], ['unknown token', bearer(`${OPS_TOKEN}x`)], ['http-only token', bearer(SCRAPER_TOKEN)]] as const) {
    const error = await getStatus(client, metadata).then(() => undefined, (e: ServiceError) => e);
    expect(error, name).toBeDefined();
    seen.push({ where: `gRPC error (${name})`, text: `${error?.code} ${error?.details} ${JSON.stringify(error?.metadata.getMap())}` });
  }
  for (const path of ['/metrics', '/api/status', '/', '/dashboard.js']) {
    const page = await http(path, SCRAPER_TOKEN);
    expect(page.status, path).toBe(200);
    seen.push({ where: `HTTP ${path}`, text: page.body });
  }
  seen.push({ where: 'HTTP 401', text: (await http('/metrics', `${SCRAPER_TOKEN}x`)).body });
  seen.push({ where: 'HTTP 403', text: (await http('/metrics', OPS_TOKEN.replace('ops', 'zzz'))).body });
  seen.push({ where: 'SSE', text: await firstEvent(SCRAPER_TOKEN) });
  expect(await cli.stop()).toBe(0);
  seen.push({ where: 'logs', text: logs.join('\n') });

  for (const { where, text } of seen) {
    for (const secret of ALL) expect(text.includes(secret), `${where} contains ${secret}`).toBe(false);
  }
  // The leak paths were exercised: the exchange's echoed keys reached the status and the logs, scrubbed.
  const okx = status.exchanges.find((e) => e.ccxtExchange === 'okx');
  expect(okx?.lastError).toMatch(/Invalid OK-ACCESS-KEY \[redacted\] \/ \[redacted\]/);
  expect(logs.some((l) => l.includes('exchange unavailable') && l.includes('[redacted]'))).toBe(true);
  expect(seen.find((s) => s.where === 'HTTP /api/status')?.text).toContain('[redacted]');
}, 2 * PATIENCE_MS); // a failure detector: two waits at most
