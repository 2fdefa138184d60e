// Breadth: every market of every CCXT unified-market sample whose class exists in the pinned CCXT
// goes through the loader's own conversion (convertMarkets with convertContextOf, what
// loadDefinitions runs), with the class's own precisionMode and has table. Each converts to a
// valid definition or is refused for a stated reason; none makes the conversion throw. Values are
// checked against raw responses in raw-*.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ccxt, { type Exchange } from 'ccxt';
import { afterAll, describe, expect, it } from 'vitest';
import { convertContextOf, convertMarkets } from '../../src/adapters/ccxt/load-definitions.js';
import { ccxtExchangeIds } from '../../src/adapters/ccxt/exchange-ids.js';
import type { UnifiedMarket } from '../../src/domain/unified-market.js';
import { validateDefinition } from '../../src/domain/validate-definition.js';
import { UNIFIED_MARKETS_DIR } from '../support/fixtures.js';

// The only reasons a market may be refused for: kinds the contract has no type for, and markets
// without the identity a key needs. Anything else (a "conversion failed: ..." above all) is a bug.
const KNOWN_REFUSALS: readonly RegExp[] = [
  /^market type "[^"]*" is not spot, swap, future or option$/,
  /^market has no symbol or id$/,
];

const receivedAt = new Date('2026-01-01T00:00:00Z');
const ids = readdirSync(UNIFIED_MARKETS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -'.json'.length)).sort();
const known = new Set(ccxtExchangeIds());
const withClass = ids.filter((id) => known.has(id) && ccxt.exchanges.includes(id));

interface Summary { mode: number; markets: number; converted: number; incomplete: number; refused: Map<string, number> }
const summaries = new Map<string, Summary>();

function instanceOf(id: string): Exchange {
  // Constructing a class makes no request; precisionMode and has are properties of the class.
  const Class = (ccxt as unknown as Record<string, new () => Exchange>)[id];
  if (Class === undefined) throw new Error(`ccxt has no class ${id}`);
  return new Class();
}

function samples(id: string): unknown[] {
  const parsed = JSON.parse(readFileSync(join(UNIFIED_MARKETS_DIR, `${id}.json`), 'utf8')) as unknown;
  return Array.isArray(parsed) ? parsed : Object.values(parsed as Record<string, unknown>);
}

describe('CCXT unified-market samples: breadth', () => {
  it('covers every sample file with a CCXT class', () => {
    expect(withClass.length).toBeGreaterThan(0);
    // A file without a class is listed, not silently dropped.
    console.info(`unified breadth: ${ids.length} sample files, ${withClass.length} with a class in ccxt ${ccxt.version}; without: ${ids.filter((id) => !withClass.includes(id)).join(', ') || 'none'}`);
  });

  it.each(withClass)('%s: every market converts to a valid definition or is refused for a known reason', (id) => {
    const markets = samples(id);
    expect(markets.length).toBeGreaterThan(0);
    const ctx = convertContextOf(instanceOf(id), receivedAt);
    const { definitions, rejected } = convertMarkets(markets, ctx);
    expect(definitions.length + rejected.length).toBe(markets.length);
    expect(rejected.filter((r) => r.failed === true || !KNOWN_REFUSALS.some((p) => p.test(r.reason)))).toEqual([]);

    const raw = new Map((markets as UnifiedMarket[]).map((m) => [m.symbol, m]));
    const problems: string[] = [];
    const keys = new Set<string>();
    for (const d of definitions) {
      for (const p of validateDefinition(d)) problems.push(`${d.ccxtSymbol}: ${p}`);
      // Identity straight from the sample: the raw id and the unified symbol, unchanged.
      if (raw.get(d.ccxtSymbol)?.id !== d.exchangeRawSymbol) problems.push(`${d.ccxtSymbol}: exchange_raw_symbol ${d.exchangeRawSymbol}`);
      if (keys.has(d.instrumentKey)) problems.push(`duplicate key ${d.instrumentKey}`);
      keys.add(d.instrumentKey);
    }
    expect(problems).toEqual([]);

    const refused = new Map<string, number>();
    for (const r of rejected) refused.set(r.reason, (refused.get(r.reason) ?? 0) + 1);
    summaries.set(id, { mode: ctx.precisionMode, markets: markets.length, converted: definitions.length, incomplete: definitions.filter((d) => d.incompleteFields.length > 0).length, refused });
  });

  afterAll(() => {
    const rows = [...summaries].map(([id, s]) => {
      const refused = [...s.refused].map(([reason, n]) => `${n}× ${reason}`).join('; ');
      return `  ${id.padEnd(22)} mode ${s.mode}  markets ${String(s.markets).padStart(3)}  converted ${String(s.converted).padStart(3)} (incomplete ${s.incomplete})  refused ${String(s.markets - s.converted).padStart(2)}${refused ? ` (${refused})` : ''}`;
    });
    const total = (f: (s: Summary) => number): number => [...summaries.values()].reduce((sum, s) => sum + f(s), 0);
    console.info([
      `unified breadth: ${summaries.size} exchanges, ${total((s) => s.markets)} markets, ${total((s) => s.converted)} converted (${total((s) => s.incomplete)} of them INCOMPLETE), ${total((s) => s.markets - s.converted)} refused`,
      ...rows,
    ].join('\n'));
  });
});
