import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { loadDashboardAssets } from './dashboard-assets.js';
import type { DashboardSources } from './dashboard-status.js';
import { parseListenAddress } from './listen-address.js';
import { DEFAULT_LIVE_FEED_LIMITS, LiveFeed, type LiveFeedLimits } from './live-feed.js';

export type AuthorizeResult = { ok: true } | { ok: false; code: 'UNAUTHENTICATED' | 'PERMISSION_DENIED'; message: string };

export interface OpsServerOptions extends DashboardSources {
  /** "host:port"; port 0 picks a free one. */
  listen: string;
  /** Checks the Authorization header of every request except /healthz; absent: no auth. */
  authorize?: (authorizationHeader: string | undefined) => AuthorizeResult;
  /** Served at /metrics; absent: 404. */
  metrics?: () => Promise<{ contentType: string; body: string }>;
  /** A route that threw (the client got a 500). */
  onError?: (error: unknown, path: string) => void;
  limits?: Partial<LiveFeedLimits>;
  /** HTTPS with these PEM buffers; with `clientCa`, clients must present a certificate it signed. */
  tls?: { certChain: Buffer; privateKey: Buffer; clientCa: Buffer | undefined };
}

export interface RunningOpsServer {
  port: number;
  close(): Promise<void>;
}

// No inline script or style and nothing from elsewhere: the page only talks to this server.
const SECURITY_HEADERS = {
  'Content-Security-Policy': "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

// `Basic` so a browser shows its login prompt (password = token); API clients send Bearer. Two
// header lines, not one: Chromium drops `Basic realm="…", Bearer` in one line as malformed and
// never prompts; as separate fields (the same list to HTTP) it prompts and answers.
const CHALLENGES = ['Basic realm="live-instruments"', 'Bearer'];

type HeaderMap = Record<string, string | string[]>;

function send(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: HeaderMap = {}): void {
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

const sendText = (res: ServerResponse, status: number, text: string, headers?: HeaderMap): void =>
  send(res, status, 'text/plain; charset=utf-8', text, headers);

type Route = (req: IncomingMessage, res: ServerResponse) => Promise<void> | void;

/** The HTTP operations port: /healthz, /metrics, and the status dashboard with its live feed. */
export async function startOpsServer(options: OpsServerOptions): Promise<RunningOpsServer> {
  const { host, port } = parseListenAddress(options.listen);
  const assets = await loadDashboardAssets();
  const feed = new LiveFeed(options, { ...DEFAULT_LIVE_FEED_LIMITS, ...options.limits });
  const { metrics } = options;

  const routes = new Map<string, Route>();
  for (const [path, asset] of assets) routes.set(path, (_req, res) => send(res, 200, asset.contentType, asset.body));
  routes.set('/api/status', (_req, res) => send(res, 200, 'application/json; charset=utf-8', JSON.stringify(feed.snapshot())));
  routes.set('/api/events', (_req, res) => feed.hub.open(res, feed.initialEvents()));
  if (metrics !== undefined) {
    routes.set('/metrics', async (_req, res) => {
      const { contentType, body } = await metrics();
      send(res, 200, contentType, body);
    });
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const path = new URL(req.url ?? '/', 'http://ops').pathname;
    if (path !== '/healthz') {
      const verdict = options.authorize?.(req.headers.authorization) ?? { ok: true };
      if (!verdict.ok) {
        const unauthenticated = verdict.code === 'UNAUTHENTICATED';
        return sendText(res, unauthenticated ? 401 : 403, verdict.message, unauthenticated ? { 'WWW-Authenticate': CHALLENGES } : {});
      }
    }
    const route = path === '/healthz' ? (_req: IncomingMessage, r: ServerResponse) => sendText(r, 200, 'ok') : routes.get(path);
    if (route === undefined) return sendText(res, 404, `not found: ${path}`);
    if (req.method !== 'GET') return sendText(res, 405, `method ${req.method ?? ''} not allowed: use GET`, { Allow: 'GET' });
    await route(req, res);
  };

  const listener: RequestListener = (req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error, req.url ?? '');
      if (!res.headersSent) sendText(res, 500, 'internal error');
      else res.destroy();
    });
  };
  const { tls } = options;
  const server = tls === undefined ? createServer(listener) : createHttpsServer({
    cert: tls.certChain, key: tls.privateKey,
    ...(tls.clientCa === undefined ? {} : { ca: tls.clientCa, requestCert: true, rejectUnauthorized: true }),
  }, listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      feed.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
