// Worker-thread entry of MarketLoaderPool: CCXT's market parsing and the conversion run here so
// that they never block the main thread. Each load gets a new CCXT instance, dropped once its
// markets are converted: an instance keeps every market with its raw exchange JSON (574 MB for
// 100,000 instruments), while constructing one costs 4-12 ms.
import { parentPort, workerData } from 'node:worker_threads';
import type { Exchange } from 'ccxt';
import { parseRetryAfter } from '../../domain/backoff.js';
import { createExchange } from './create-exchange.js';
import { loadDefinitions } from './load-definitions.js';
import { encodeHandover } from './definition-handover.js';
import { lowerThreadPriority } from './thread-priority.js';
import type { LoadFailure, LoadReply, LoadRequest, WorkerRequest } from './market-loader-protocol.js';

if (parentPort === null) throw new Error('market-loader-worker runs only as a worker thread (see MarketLoaderPool)');
const port = parentPort;
// CCXT's parsing is CPU-heavy and never urgent: RPCs on the main thread may be given the core first.
const { nice } = workerData as { nice: number };
if (nice > 0) lowerThreadPriority(nice);

function failureOf(error: unknown, exchange: Exchange | undefined): LoadFailure {
  const failure: LoadFailure = error instanceof Error
    ? { name: error.name, message: error.message }
    : { name: 'Error', message: String(error) };
  // CCXT capitalises header names; it keeps the headers of the last response it received.
  const headers = exchange?.last_response_headers as Record<string, unknown> | undefined;
  const retryAfter = headers?.['Retry-After'];
  const retryAfterMs = typeof retryAfter === 'string' ? parseRetryAfter(retryAfter, Date.now()) : undefined;
  return retryAfterMs === undefined ? failure : { ...failure, retryAfterMs };
}

/** Loads in flight, so a cancel can reach their CCXT instance; and those cancelled. */
const running = new Map<number, Exchange>();
const cancelled = new Set<number>();

/**
 * CCXT's `timeout` covers a request only until the response headers arrive; a body that trickles
 * in keeps the load going. Destroying the instance's HTTP dispatcher (undici) aborts its requests
 * and fails any later one, so the load ends and its sockets are released (the pool has already
 * answered its caller).
 */
function cancel(requestId: number): void {
  const exchange = running.get(requestId);
  if (exchange === undefined) return; // already finished
  cancelled.add(requestId);
  const dispatcher = exchange.fetchDispatcher as { destroy(): Promise<void> } | undefined;
  dispatcher?.destroy().catch(() => undefined);
}

async function load(request: LoadRequest): Promise<void> {
  const { requestId } = request;
  let exchange: Exchange | undefined;
  try {
    const started = performance.now();
    exchange = createExchange(request.ccxtId, request.settings);
    running.set(requestId, exchange);
    // Creates the instance's dispatcher before any request, so a cancel always finds it.
    await exchange.loadFetchImplementation();
    if (cancelled.has(requestId)) throw new Error('cancelled (deadline passed or caller gave up) before it started');
    const loaded = await loadDefinitions(exchange);
    const definitions = encodeHandover(loaded.definitions);
    const reply: LoadReply = {
      requestId, ok: true, definitions, rejected: loaded.rejected, receivedAtMs: loaded.receivedAt.getTime(),
      durationMs: Math.round(performance.now() - started),
    };
    port.postMessage(reply, [definitions.records, definitions.digests]);
  } catch (error) {
    const reply: LoadReply = { requestId, ok: false, failure: failureOf(error, exchange) };
    port.postMessage(reply);
  } finally {
    running.delete(requestId);
    cancelled.delete(requestId);
  }
}

port.on('message', (request: WorkerRequest) => {
  if ('cancel' in request) cancel(request.requestId);
  else void load(request);
});
