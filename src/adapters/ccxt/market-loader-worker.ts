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
import type { LoadFailure, LoadReply, LoadRequest } from './market-loader-protocol.js';

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

async function load(request: LoadRequest): Promise<void> {
  const { requestId } = request;
  let exchange: Exchange | undefined;
  try {
    const started = performance.now();
    exchange = createExchange(request.ccxtId, request.settings);
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
  }
}

port.on('message', (request: LoadRequest) => void load(request));
