import type { InstrumentChange } from '../../gen/ts/instruments/v1/instrument_service.js';

/**
 * The changes one applied refresh made to the store, under one revision. Revisions increase by
 * one per batch; a refresh that changes nothing visible makes no batch and no revision.
 */
export interface ChangeBatchEvent {
  revision: number;
  appliedAt: Date;
  /** CCXT exchange whose refresh produced the batch. */
  ccxtExchange: string;
  changes: InstrumentChange[];
}
