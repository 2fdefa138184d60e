import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { planFault, type FaultPlan } from './fault-plan.js';
import { FaultTable, type FaultOptions, type ReplayFault } from './replay-fault.js';
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
  private readonly faults = new FaultTable();
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

  /**
   * Makes requests for one original URL misbehave (see ReplayFault), for the next `times` requests
   * or until `clearFault()`; a list of faults is served one per request, in order, once through
   * (or round and round for `times`). On every prefix unless `options.prefix`. Replaces the URL's earlier fault.
   */
  fault(url: string, fault: ReplayFault | readonly ReplayFault[], options: FaultOptions = {}): void {
    this.faults.set(url, fault, options);
  }

  /** Answers the URL normally again (requests already hanging or trickling are left as they are). */
  clearFault(url: string, options: { readonly prefix?: string } = {}): boolean {
    return this.faults.clear(url, options.prefix);
  }

  clearFaults(): void {
    this.faults.clearAll();
  }

  /** Snapshot of every request received, in the order they were routed (`at` is when each arrived). */
  requestLog(): RequestLogEntry[] {
    return this.log.list();
  }

  /** Number of requests in total, or for one original URL; only those arrived at or after `sinceMs` if given. */
  requestCount(url?: string, sinceMs?: number): number {
    return this.log.count(url, sinceMs);
  }

  clearRequestLog(): void {
    this.log.clear();
  }

  /** Stops listening and drops every socket: kept-alive ones (ccxt's fetch keeps them) and faulted ones still hanging or trickling. */
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
    const at = Date.now();
    req.resume(); // request bodies are irrelevant; drain them so the socket stays usable
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url ?? '/');
    // Taken on arrival, before any await, so `times` counts requests in the order they came.
    const fault = target === null ? undefined : this.faults.take(target.prefix, target.url);
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
    const entry = { method, prefix: target?.prefix ?? null, url: target?.url ?? null, at };
    if (fault === undefined) {
      this.log.record({ ...entry, status: routed.response.status, source: routed.source });
      send(res, routed.response, method === 'HEAD');
      return;
    }
    let plan: FaultPlan;
    try {
      plan = planFault(fault, routed.response);
    } catch (error) {
      const response = textResponse(500, `replay: fault ${fault.kind} failed: ${String(error)}`);
      plan = { kind: 'send', head: { status: 500, headers: { 'content-type': response.contentType, 'content-length': response.body.length } }, body: response.body };
    }
    this.log.record({ ...entry, status: plan.kind === 'hang' ? 0 : plan.head.status, source: 'fault', fault: fault.kind });
    perform(res, plan, method === 'HEAD');
  }
}

function send(res: ServerResponse, response: ReplayResponse, headOnly: boolean): void {
  res.writeHead(response.status, {
    'content-type': response.contentType,
    'content-length': response.body.length,
  });
  res.end(headOnly ? undefined : response.body);
}

/** Carries out a fault plan; nothing here outlives the socket (server close() destroys every socket). */
function perform(res: ServerResponse, plan: FaultPlan, headOnly: boolean): void {
  if (plan.kind === 'hang') return;
  res.writeHead(plan.head.status, plan.head.headers);
  if (plan.kind === 'send' || headOnly) {
    res.end(headOnly ? undefined : plan.body);
    return;
  }
  if (plan.kind === 'reset') {
    // A moment after the partial body is flushed, so the client is reading the body when the RST comes.
    res.write(plan.body, () => setTimeout(() => res.socket?.resetAndDestroy(), 20).unref());
    return;
  }
  let offset = 0;
  const timer = setInterval(() => {
    const chunk = plan.body.subarray(offset, offset + plan.chunkBytes);
    offset += chunk.length;
    if (offset >= plan.body.length) {
      clearInterval(timer);
      res.end(chunk);
    } else {
      res.write(chunk);
    }
  }, plan.intervalMs);
  res.once('close', () => clearInterval(timer));
}

/** Starts a replay server; see ReplayServerOptions. Call `close()` when done. */
export function startReplayServer(options: ReplayServerOptions = {}): Promise<ReplayServer> {
  return ReplayServer.start(options);
}
