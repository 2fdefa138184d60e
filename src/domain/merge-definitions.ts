import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { protoFieldName } from './proto-field-name.js';

// Fields that describe where a definition comes from or its live state: never taken from history.
const NOT_FILLED = new Set<keyof InstrumentDefinition>([
  'instrumentKey', 'dataProvider', 'isLive', 'lastUpdated', 'active', 'status', 'exchangeStatus', 'ccxtExchange',
  'ccxtSymbol', 'incompleteFields', 'fieldsFromHistory', 'stale', 'availableToDatetime',
]);

function isEmpty(value: unknown): boolean {
  return value === undefined || value === '' || value === 0 || (Array.isArray(value) && value.length === 0);
}

/**
 * One definition per key from a live and a historical one: live wins for every field it has;
 * history fills the fields live lacks (named in fields_from_history) and instruments that are no
 * longer listed. Returns the live object itself when history adds nothing.
 */
export function mergeDefinitions(live: InstrumentDefinition | undefined, historical: InstrumentDefinition | undefined): InstrumentDefinition | undefined {
  if (live === undefined) return historical;
  if (historical === undefined) return live;
  let merged: InstrumentDefinition | undefined;
  const filled: string[] = [];
  for (const name of Object.keys(live) as Array<keyof InstrumentDefinition>) {
    if (NOT_FILLED.has(name) || !isEmpty(live[name]) || isEmpty(historical[name])) continue;
    merged ??= { ...live };
    (merged as unknown as Record<string, unknown>)[name] = historical[name];
    filled.push(protoFieldName(name));
  }
  return merged === undefined ? live : { ...merged, fieldsFromHistory: filled };
}
