// Every definition the recorded exchanges produce is consistent with its type (spot has no
// contract fields, options have strike/type/expiry, keys parse back, ...), and keys are unique
// per source exchange. The raw-* tests check the values; this checks the shape of all of them.
import { beforeAll, expect, it } from 'vitest';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { validateDefinition } from '../../src/domain/validate-definition.js';
import { PATIENCE_MS } from '../support/wait-for.js';
import { runSync, type SyncRun } from './support/run-sync.js';

const IDS = ['binance', 'binanceusdm', 'binancecoinm', 'deribit', 'okx', 'mexc', 'dydx'];
let sync: SyncRun;
beforeAll(async () => {
  sync = await runSync(IDS);
}, PATIENCE_MS); // one wait: a first load of every recorded exchange, the slowest wait PATIENCE_MS was derived from

it.each(IDS)('%s: every definition is valid and its key unique', (id) => {
  const lines = sync.byExchange.get(id) ?? [];
  expect(lines.length).toBeGreaterThan(0); // exact counts per exchange: raw-*.test.ts
  const problems: string[] = [];
  const keys = new Set<string>();
  for (const line of lines) {
    const d = InstrumentDefinition.fromJSON(line);
    for (const p of validateDefinition(d)) problems.push(`${id} ${d.exchangeRawSymbol}: ${p}`);
    if (keys.has(d.instrumentKey)) problems.push(`${id}: duplicate key ${d.instrumentKey}`);
    keys.add(d.instrumentKey);
  }
  expect(problems).toEqual([]);
});
