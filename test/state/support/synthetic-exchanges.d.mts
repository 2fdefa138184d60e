export interface SyntheticExchange {
  ccxtExchange: string;
  venue: string;
  instruments: number;
}

/** Plain instrument definitions, to be completed with InstrumentDefinition.fromPartial. */
type PartialDefinition = Record<string, unknown> & { instrumentKey: string; ccxtExchange: string };

export interface Build<D, C> {
  diffOne(key: string, before: D | undefined, after: D | undefined, now: Date): C | undefined;
  complete(partial: PartialDefinition): D;
}

export const EXCHANGES: SyntheticExchange[];
export function appliedAt(revision: number): Date;
export function refreshAt(revision: number): { exchange: SyntheticExchange; load: number };
export function definitionsAt(exchange: SyntheticExchange, load: number): PartialDefinition[];
export function stateAt(revision: number): Map<string, PartialDefinition[]>;
export function refresh<D, C>(
  revision: number,
  previous: ReadonlyMap<string, D>,
  build: Build<D, C>,
): { batch: { revision: number; appliedAt: Date; ccxtExchange: string; changes: C[] }; next: Map<string, D> };
