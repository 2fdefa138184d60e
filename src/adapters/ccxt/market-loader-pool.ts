import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { packageRoot } from '../package-root.js';
import type { ExchangeSettings } from './create-exchange.js';
import type { LoadedDefinitions } from './load-definitions.js';
import { HandoverDecoder } from './definition-handover.js';
import type { CancelRequest, LoadFailure, LoadReply, LoadRequest } from './market-loader-protocol.js';

export interface MarketLoaderPoolOptions {
  /** Worker threads; default min(2, cores). */
  size?: number;
  /** The worker entry (built JavaScript); default dist/src/adapters/ccxt/market-loader-worker.js. */
  workerPath?: string;
  /** CPU niceness of the worker threads (Linux; see thread-priority.ts); default 0. */
  nice?: number;
}

export interface PooledLoad extends LoadedDefinitions {
  /** loadMarkets plus conversion, in the worker. */
  durationMs: number;
  /** Definitions decoded on the main thread: new or changed since the previous load; the rest were reused. */
  decoded: number;
}

export interface LoadOptions {
  /** Give up on the load after this long: it fails with a LoadTimeout and its requests are aborted. */
  timeoutMs?: number;
  /** Aborting gives up on the load the same way (LoadCancelled): its caller stopped wanting it. */
  signal?: AbortSignal;
}

/** How a pooled load failed: the CCXT error's name and message, and the exchange's Retry-After. */
export type LoadError = Error & { retryAfterMs?: number };

/** The Retry-After of a failed pooled load, in ms, for retryWithBackoff's `retryAfterMs`. */
export function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMs?: unknown } | null)?.retryAfterMs;
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function loadError(failure: LoadFailure): LoadError {
  const error: LoadError = new Error(failure.message);
  error.name = failure.name;
  if (failure.retryAfterMs !== undefined) error.retryAfterMs = failure.retryAfterMs;
  return error;
}

// vitest runs the TypeScript sources, but Node cannot start a .ts worker: always use the build.
function builtWorkerPath(): string {
  const path = join(packageRoot(), 'dist', 'src', 'adapters', 'ccxt', 'market-loader-worker.js');
  if (!existsSync(path)) throw new Error(`market loader worker not built: ${path} is missing; run \`npm run build\``);
  return path;
}

function loadTimeout(ccxtId: string, timeoutMs: number): LoadError {
  const error: LoadError = new Error(`${ccxtId} load did not finish within ${timeoutMs} ms; abandoned and its requests aborted`);
  error.name = 'LoadTimeout';
  return error;
}

function loadCancelled(ccxtId: string): LoadError {
  const error: LoadError = new Error(`${ccxtId} load cancelled by its caller; its requests aborted`);
  error.name = 'LoadCancelled';
  return error;
}

interface Pending {
  ccxtId: string;
  decoder: HandoverDecoder;
  resolve: (loaded: PooledLoad) => void;
  reject: (error: Error) => void;
  deadline?: NodeJS.Timeout;
  /** Removes the abort listener of the caller's signal. */
  unlisten?: () => void;
}

/** One worker thread and the loads it has in flight. */
class LoaderThread {
  private readonly pending = new Map<number, Pending>();
  private readonly worker: Worker;
  private failed: Error | undefined;

  constructor(path: string, index: number, nice: number, onGone: () => void) {
    this.worker = new Worker(path, { workerData: { nice } });
    this.worker.on('message', (reply: LoadReply) => this.settle(reply));
    this.worker.on('error', (error) => {
      this.failed = error;
    });
    this.worker.on('exit', (code) => {
      const cause = this.failed === undefined ? `stopped (exit code ${code})` : `crashed (${this.failed.message})`;
      this.rejectAll((ccxtId) => new Error(`market loader worker ${index} ${cause} while loading ${ccxtId}`));
      onGone();
    });
  }

  send(request: LoadRequest, pending: Pending, { timeoutMs, signal }: LoadOptions): void {
    if (signal?.aborted) {
      pending.reject(loadCancelled(request.ccxtId));
      return;
    }
    this.pending.set(request.requestId, pending);
    this.worker.postMessage(request);
    if (timeoutMs !== undefined) pending.deadline = setTimeout(() => this.abandon(request.requestId, loadTimeout(request.ccxtId, timeoutMs)), timeoutMs);
    if (signal !== undefined) {
      const onAbort = (): void => this.abandon(request.requestId, loadCancelled(request.ccxtId));
      signal.addEventListener('abort', onAbort, { once: true });
      pending.unlisten = () => signal.removeEventListener('abort', onAbort);
    }
  }

  rejectAll(errorFor: (ccxtId: string) => Error): void {
    for (const { ccxtId, reject, deadline, unlisten } of this.pending.values()) {
      clearTimeout(deadline);
      unlisten?.();
      reject(errorFor(ccxtId));
    }
    this.pending.clear();
  }

  /** The deadline passed or the caller gave up: fail the load now (freeing its caller's slot) and tell the worker to abort it. */
  private abandon(requestId: number, error: LoadError): void {
    const pending = this.pending.get(requestId);
    if (pending === undefined) return;
    this.pending.delete(requestId);
    clearTimeout(pending.deadline);
    pending.unlisten?.();
    const cancel: CancelRequest = { requestId, cancel: true };
    this.worker.postMessage(cancel);
    pending.reject(error);
  }

  async terminate(): Promise<void> {
    await this.worker.terminate();
  }

  private settle(reply: LoadReply): void {
    const pending = this.pending.get(reply.requestId);
    if (pending === undefined) return; // abandoned at its deadline or by its caller
    this.pending.delete(reply.requestId);
    clearTimeout(pending.deadline);
    pending.unlisten?.();
    if (!reply.ok) {
      pending.reject(loadError(reply.failure));
      return;
    }
    const receivedAt = new Date(reply.receivedAtMs);
    const { definitions, decoded } = pending.decoder.decode(reply.definitions, receivedAt);
    pending.resolve({
      definitions, decoded, rejected: reply.rejected, receivedAt, durationMs: reply.durationMs,
    });
  }
}

/**
 * Loads and converts markets in worker threads, so an RPC on the main thread never waits behind
 * CCXT's parsing (up to ~1 s of CPU for a large exchange). Only new or changed definitions are
 * decoded on the main thread (definition-handover.ts). Each exchange id stays on one worker; a
 * worker that dies fails its loads in flight and is replaced on next use.
 */
export class MarketLoaderPool {
  private readonly threads: (LoaderThread | undefined)[];
  /** Exchange id → worker index, fixed on first use; new ids go to the worker with the fewest. */
  private readonly assigned = new Map<string, number>();
  /** Per exchange id: the previous load's objects, which an unchanged definition is answered with. */
  private readonly decoders = new Map<string, HandoverDecoder>();
  private readonly workerPath: string;
  private readonly nice: number;
  private nextRequestId = 1;
  private closed = false;

  constructor(options: MarketLoaderPoolOptions = {}) {
    const size = options.size ?? Math.min(2, availableParallelism());
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`MarketLoaderPool: size must be a positive integer, got ${size}`);
    this.threads = new Array<LoaderThread | undefined>(size).fill(undefined);
    this.workerPath = options.workerPath ?? builtWorkerPath();
    this.nice = options.nice ?? 0;
  }

  /** One load of `ccxtId`: a fresh CCXT instance in the exchange's worker, its markets converted. */
  load(ccxtId: string, settings: ExchangeSettings, options: LoadOptions = {}): Promise<PooledLoad> {
    if (this.closed) return Promise.reject(new Error('market loader pool is closed'));
    const thread = this.threadAt(this.indexFor(ccxtId));
    let decoder = this.decoders.get(ccxtId);
    if (decoder === undefined) this.decoders.set(ccxtId, (decoder = new HandoverDecoder()));
    const handover = decoder;
    return new Promise<PooledLoad>((resolve, reject) => {
      thread.send({ requestId: this.nextRequestId++, ccxtId, settings }, { ccxtId, decoder: handover, resolve, reject }, options);
    });
  }

  /** Terminates every worker; loads in flight are rejected. */
  async close(): Promise<void> {
    this.closed = true;
    const running = this.threads.filter((thread) => thread !== undefined);
    this.threads.fill(undefined);
    for (const thread of running) thread.rejectAll((ccxtId) => new Error(`market loader pool closed while loading ${ccxtId}`));
    await Promise.all(running.map((thread) => thread.terminate()));
  }

  private indexFor(ccxtId: string): number {
    let index = this.assigned.get(ccxtId);
    if (index === undefined) {
      const counts = this.threads.map(() => 0);
      for (const i of this.assigned.values()) counts[i] = (counts[i] ?? 0) + 1;
      index = counts.indexOf(Math.min(...counts));
      this.assigned.set(ccxtId, index);
    }
    return index;
  }

  private threadAt(index: number): LoaderThread {
    const existing = this.threads[index];
    if (existing !== undefined) return existing;
    const thread: LoaderThread = new LoaderThread(this.workerPath, index, this.nice, () => {
      if (this.threads[index] === thread) this.threads[index] = undefined;
    });
    this.threads[index] = thread;
    return thread;
  }
}
