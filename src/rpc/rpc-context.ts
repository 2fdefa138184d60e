import type { ExchangeStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { KnownSources } from '../domain/instrument-filter.js';
import type { InstrumentStore } from '../store/instrument-store.js';

/** What the exchange loaders report, read by the handlers to tell NOT_FOUND from UNAVAILABLE. */
export interface ExchangeStatusSource {
  statuses(): ExchangeStatus[];
  /** Venues and CCXT ids this server is configured to serve. */
  known(): KnownSources;
}

export interface RpcContext {
  store: InstrumentStore;
  exchanges: ExchangeStatusSource;
}
