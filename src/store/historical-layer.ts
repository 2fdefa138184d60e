import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { mergeDefinitions } from '../domain/merge-definitions.js';

/** A historical definition, with its recorded history where the source keeps one. */
export interface HistoricalEntry {
  definition: InstrumentDefinition;
  /** The definition valid at a time; undefined when the instrument was not available then. */
  asOf?: (time: Date) => InstrumentDefinition | undefined;
}

/**
 * What is known beyond the live lists: definitions from historical sources (Tardis-format files)
 * and the service's own last definitions of instruments that left the live lists ("retired").
 * A retired definition is the newer knowledge, so it wins over a historical file, which still
 * fills what it lacks.
 */
export class HistoricalLayer {
  private readonly entries = new Map<string, HistoricalEntry>();
  private readonly retired = new Map<string, InstrumentDefinition>();
  private cached: Map<string, InstrumentDefinition> | undefined;
  /** Bumped on every change, so views built from the layer know when to rebuild. */
  version = 0;

  replaceEntries(entries: readonly HistoricalEntry[]): void {
    this.entries.clear();
    for (const entry of entries) this.entries.set(entry.definition.instrumentKey, entry);
    this.touch();
  }

  retire(definition: InstrumentDefinition): void {
    this.retired.set(definition.instrumentKey, definition);
    this.touch();
  }

  /** The retired instruments as a restored state lists them, replacing any known before. */
  replaceRetired(definitions: readonly InstrumentDefinition[]): void {
    this.retired.clear();
    for (const d of definitions) this.retired.set(d.instrumentKey, d);
    this.touch();
  }

  /** An instrument listed live again is no longer retired. */
  relist(key: string): void {
    if (this.retired.delete(key)) this.touch();
  }

  get isEmpty(): boolean {
    return this.entries.size === 0 && this.retired.size === 0;
  }

  retiredDefinitions(): InstrumentDefinition[] {
    return [...this.retired.values()];
  }

  /** One definition per key over both parts. */
  definitions(): ReadonlyMap<string, InstrumentDefinition> {
    if (this.cached === undefined) {
      const map = new Map<string, InstrumentDefinition>();
      for (const key of new Set([...this.entries.keys(), ...this.retired.keys()])) {
        const d = mergeDefinitions(this.retired.get(key), this.entries.get(key)?.definition);
        if (d !== undefined) map.set(key, d);
      }
      this.cached = map;
    }
    return this.cached;
  }

  asOf(key: string, time: Date): InstrumentDefinition | undefined {
    const entry = this.entries.get(key);
    if (entry?.asOf !== undefined) return entry.asOf(time);
    const d = entry?.definition ?? this.retired.get(key);
    if (d === undefined) return undefined;
    const from = d.availableFromDatetime?.getTime() ?? -Infinity;
    const to = d.availableToDatetime?.getTime() ?? Infinity;
    return time.getTime() >= from && time.getTime() < to ? d : undefined;
  }

  private touch(): void {
    this.cached = undefined;
    this.version++;
  }
}
