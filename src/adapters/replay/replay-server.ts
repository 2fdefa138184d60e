import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { RequestLog, type RequestLogEntry } from './request-log.js';
import { normalizePrefix, parseRequestTarget, prefixPath } from './request-target.js';
import { textResponse, type OverrideResponse, type ReplayResponse } from './replay-response.js';
import { ReplayRouter, type RoutedResponse } from './replay-router.js';

export interface ReplayServerOptions {
  /** Defaults to 127.0.0.1: the server is for tests and must not listen publicly. */
  readonly host?: string;
  /** Defaults to 0, an ephemeral port, so parallel test files never collide. */
  readonly port?: number;
  /** A fixture root (e.g. test/fixtures/exchanges): each subfolder with an index.json is a set. */
  readonly fixturesDir?: string;
  /** More fixture roots, mounted like `fixturesDir`. Folder names must not collide. */
  readonly roots?: readonly string[];
  /** Explicit prefix → set directory mounts (served under that prefix only). */
  readonly sets?: Readonly<Record<string, string>>;
}

/** Loopback HTTP server answering ccxt `proxyUrl` requests with recorded exchange responses. */
export class ReplayServer {
  private readonly log = new RequestLog();
  private closing: Promise<void> | null = null;

  private constructor(
    private readonly http: Server,
    private readonly router: ReplayRouter,
    /** Base URL with trailing slash, e.g. `http://127.0.0.1:40123/`. */
    readonly url: string,
  ) {
    http.on('request', (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res));
  }

  static async start(options: ReplayServerOptions = {}): Promise<ReplayServer> {
    const router = new ReplayRouter();
    const roots = [...(options.fixturesDir === undefined ? [] : [options.fixturesDir]), ...(options.roots ?? [])];
    for (const root of roots) await router.addRoot(root);
    for (const [prefix, dir] of Object.entries(options.sets ?? {})) await router.mount(prefix, dir);

    const http = createServer();
    const host = options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(options.port ?? 0, host, () => {
        http.off('error', reject);
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    const hostPart = host.includes(':') ? `[${host}]` : host;
    return new ReplayServer(http, router, `http://${hostPart}:${port}/`);
  }

  /** The ccxt `proxyUrl` for a prefix (set folder name or mount prefix); no prefix = global map. */
  proxyUrlFor(prefix?: string | null): string {
    return `${this.url}${prefixPath(prefix)}`;
  }

  /** Mount prefixes currently served, sorted. */
  prefixes(): string[] {
    return this.router.prefixes();
  }

  /** ccxt constructor options from the index.json of the set at `prefix` (a fresh copy). */
  ccxtOptionsFor(prefix: string): Record<string, unknown> {
    return structuredClone({ ...this.requireSet(prefix).index.ccxtOptions });
  }

  /** The ccxt exchange id of the set at `prefix`; dated folder names are not ccxt ids. */
  exchangeFor(prefix: string): string {
    const set = this.requireSet(prefix);
    if (set.index.exchange === null) throw new Error(`replay: set ${set.name} names no ccxt exchange`);
    return set.index.exchange;
  }

  /** (Re)points `prefix` at another set directory, e.g. to switch to a dated recording. */
  mount(prefix: string, setDir: string): Promise<void> {
    return this.router.mount(prefix, setDir);
  }

  unmount(prefix: string): boolean {
    return this.router.unmount(prefix);
  }

  /**
   * Answers one original URL with `response` from now on; `null` removes the override.
   * Applies on every prefix unless `options.prefix` restricts it to one.
   */
  override(url: string, response: OverrideResponse | null, options: { readonly prefix?: string } = {}): void {
    this.router.override(url, response, options.prefix);
  }

  clearOverrides(): void {
    this.router.clearOverrides();
  }

  /** Snapshot of every answered request, oldest first. */
  requestLog(): RequestLogEntry[] {
    return this.log.list();
  }

  /** Number of requests in total, or for one original URL. */
  requestCount(url?: string): number {
    return this.log.count(url);
  }

  clearRequestLog(): void {
    this.log.clear();
  }

  /** Stops listening and drops kept-alive sockets (ccxt's fetch keeps them open). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve, reject) => {
      this.http.close((error) => (error === undefined ? resolve() : reject(error)));
      this.http.closeAllConnections();
    });
    return this.closing;
  }

  private requireSet(prefix: string) {
    const set = this.router.setAt(prefix);
    if (set === undefined) {
      throw new Error(`replay: nothing mounted at "${normalizePrefix(prefix)}" (have: ${this.prefixes().join(', ')})`);
    }
    return set;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume(); // request bodies are irrelevant; drain them so the socket stays usable
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/');
    let routed: RoutedResponse;
    if (target === null) {
      routed = { response: textResponse(400, `replay: no http(s) target in ${req.url ?? ''}`), source: 'error' };
    } else {
      try {
        routed = await this.router.route(target.prefix, target.url);
      } catch (error) {
        routed = { response: textResponse(500, `replay: ${String(error)}`), source: 'error' };
      }
    }
    this.log.record({
      method,
      prefix: target?.prefix ?? null,
      url: target?.url ?? null,
      status: routed.response.status,
      source: routed.source,
    });
    send(res, routed.response, method === 'HEAD');
  }
}

function send(res: ServerResponse, response: ReplayResponse, headOnly: boolean): void {
  res.writeHead(response.status, {
    'content-type': response.contentType,
    'content-length': response.body.length,
  });
  res.end(headOnly ? undefined : response.body);
}

/** Starts a replay server; see ReplayServerOptions. Call `close()` when done. */
export function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  return ReplayServer.start(options);
}
