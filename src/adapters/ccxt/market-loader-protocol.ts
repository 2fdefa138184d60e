// Messages between MarketLoaderPool (main thread) and market-loader-worker. The definitions
// travel in the compact encoding of definition-handover.ts.
import type { ExchangeSettings } from './create-exchange.js';
import type { HandoverBuffers } from './definition-handover.js';
import type { RejectedMarket } from './load-definitions.js';

export interface LoadRequest {
  requestId: number;
  ccxtId: string;
  settings: ExchangeSettings;
}

/** The pool gave up on a load (its deadline passed): abort its requests so its sockets are freed. */
export interface CancelRequest {
  requestId: number;
  cancel: true;
}

export type WorkerRequest = LoadRequest | CancelRequest;

/** A failed load as plain data: errors do not survive postMessage with their class. */
export interface LoadFailure {
  /** The CCXT error class, e.g. 'RateLimitExceeded', 'ExchangeNotAvailable', 'NetworkError'. */
  name: string;
  message: string;
  /** From the exchange's Retry-After header, when it sent one. */
  retryAfterMs?: number;
}

export type LoadReply =
  | {
      requestId: number;
      ok: true;
      /** encodeHandover() output; transferred, not copied. */
      definitions: HandoverBuffers;
      rejected: RejectedMarket[];
      receivedAtMs: number;
      durationMs: number;
    }
  | { requestId: number; ok: false; failure: LoadFailure };
