import { InstrumentType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';

export const TYPE_NAMES = ['spot', 'perpetual', 'future', 'option', 'combo'] as const;
export type TypeName = (typeof TYPE_NAMES)[number];
export type TypeCounts = Record<TypeName, number>;

const NAME_OF: Partial<Record<InstrumentType, TypeName>> = {
  [InstrumentType.INSTRUMENT_TYPE_SPOT]: 'spot',
  [InstrumentType.INSTRUMENT_TYPE_PERPETUAL]: 'perpetual',
  [InstrumentType.INSTRUMENT_TYPE_FUTURE]: 'future',
  [InstrumentType.INSTRUMENT_TYPE_OPTION]: 'option',
  [InstrumentType.INSTRUMENT_TYPE_COMBO]: 'combo',
};

export function zeroCounts(): TypeCounts {
  return { spot: 0, perpetual: 0, future: 0, option: 0, combo: 0 };
}

/** Instruments by type; a valid key names one of these types, so every served instrument counts. */
export function countByType(definitions: Iterable<InstrumentDefinition>): TypeCounts {
  const counts = zeroCounts();
  for (const d of definitions) {
    const name = NAME_OF[d.instrumentType];
    if (name !== undefined) counts[name] += 1;
  }
  return counts;
}

/**
 * Counts per exchange over the store's per-exchange sources. A source map is replaced (never
 * mutated) when its exchange refreshes, so counts are cached by map identity: the dashboard's
 * status every 2 s does not walk tens of thousands of options each time.
 */
export function instrumentCountsOf(store: { sourceOf(ccxtExchange: string): ReadonlyMap<string, InstrumentDefinition> }): (ccxtExchange: string) => TypeCounts {
  const cache = new WeakMap<ReadonlyMap<string, InstrumentDefinition>, TypeCounts>();
  return (ccxtExchange) => {
    const source = store.sourceOf(ccxtExchange);
    let counts = cache.get(source);
    if (counts === undefined) {
      counts = countByType(source.values());
      cache.set(source, counts);
    }
    return { ...counts };
  };
}
