import type { ExchangeStatus, StoreStatus } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { KnownSources } from '../domain/instrument-filter.js';
import type { InstrumentStore } from '../store/instrument-store.js';

/** What the exchange loaders report, read by the handlers to tell NOT_FOUND from UNAVAILABLE. */
export interface ExchangeStatusSource {
  statuses(): ExchangeStatus[];
  /** Venues and CCXT ids this server is configured to serve. */
  known(): KnownSources;
  /** Where the state lives and how this replica stands with it; absent: embedded. */
  store?(): StoreStatus;
}

export interface RpcContext {
  store: InstrumentStore;
  exchanges: ExchangeStatusSource;
  /**
   * Redis mode: waits (bounded) until this replica has applied `revision`, which another replica
   * may already have served; resolves whether it did. Absent: a revision ahead is refused at once.
   */
  awaitRevision?: (revision: number) => Promise<boolean>;
}
