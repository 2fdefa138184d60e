import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import type { InstrumentFilter } from '../../gen/ts/instruments/v1/instrument_service.js';

/**
 * The filters the soak's watchers use. Each one's membership is fixed per key (exchange, venue and
 * type are part of what a key names), so a watcher's mirror only ever gains a key by ADDED and
 * loses it by REMOVED, and the test can tell by itself which batches concern a watcher.
 */
export interface SoakFilter {
  name: string;
  filter: Partial<InstrumentFilter>;
  matches(d: InstrumentDefinition): boolean;
}

export const SOAK_FILTERS: readonly SoakFilter[] = [
  { name: 'all', filter: {}, matches: () => true },
  { name: 'kraken', filter: { ccxtExchanges: ['kraken'] }, matches: (d) => d.ccxtExchange === 'kraken' },
  { name: 'binanceusdm', filter: { ccxtExchanges: ['binanceusdm'] }, matches: (d) => d.ccxtExchange === 'binanceusdm' },
  {
    name: 'perpetuals',
    filter: { instrumentTypes: [InstrumentType.INSTRUMENT_TYPE_PERPETUAL] },
    matches: (d) => d.instrumentType === InstrumentType.INSTRUMENT_TYPE_PERPETUAL,
  },
  // The exchange that never changes: these watchers live on progress messages alone.
  { name: 'dydx', filter: { venues: ['DYDX-V4'] }, matches: (d) => d.venue === 'DYDX-V4' },
];
