// OKX: every instrument of the recorded public/instruments responses against what
// `instruments sync --once` prints for it. SWAP is the complete list; SPOT, FUTURES and OPTION
// (uly=BTC-USD, the fixture's defaultUnderlying) are trimmed samples. Expected values come from the
// raw JSON per the OKX v5 documentation; CCXT's mapping (node_modules/ccxt/js/src/okx.js,
// parseMarket / fetchMarketsByType) is noted where the unified field depends on a choice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  absent,
  compare,
  decimal,
  derived,
  epochMs,
  type ExpectedInstrument,
  instrumentType,
  nonCanonicalDecimals,
  priceMode,
  summary,
  tickSteps,
  type Want,
  unit,
} from './support/expectations.js';
import { multiply } from '../support/exact-decimal.js';
import { listAt, readRecorded, type RawObject, text } from './support/raw-fixture.js';
import { linesOf, runSync, type SyncRun, type OutputLine } from './support/run-sync.js';

const ID = 'okx';
const URL_OF = {
  SPOT: 'https://www.okx.com/api/v5/public/instruments?instType=SPOT',
  FUTURES: 'https://www.okx.com/api/v5/public/instruments?instType=FUTURES',
  SWAP: 'https://www.okx.com/api/v5/public/instruments?instType=SWAP',
  OPTION: 'https://www.okx.com/api/v5/public/instruments?instType=OPTION&uly=BTC-USD',
} as const;
type InstType = keyof typeof URL_OF;

const TYPE_OF = { SPOT: 'SPOT', SWAP: 'PERPETUAL', FUTURES: 'FUTURE', OPTION: 'OPTION' } as const;

/**
 * One contract is worth ctVal × ctMult units of ctValCcy (OKX: "ctVal contract value",
 * "ctMult contract multiplier"; e.g. a BTC-USD option is ctVal 1 × ctMult 0.01 = 0.01 BTC).
 * CCXT's contractSize is ctVal alone (ctMult is never read), which equals the product only when
 * ctMult is 1: the product is the source of truth here.
 */
function contractSizeOf(i: RawObject): Want {
  const ctVal = text(i, 'ctVal');
  const ctMult = text(i, 'ctMult');
  const raw = `ctVal=${JSON.stringify(ctVal ?? '')} × ctMult=${JSON.stringify(ctMult ?? '')}`;
  if (ctVal === undefined) return absent(raw);
  return derived(multiply(ctVal, ctMult ?? '1'), raw);
}

/** ctValCcy is the currency of one contract's value: uly's base (BTC) or its quote (USD). */
function contractSizeUnitOf(i: RawObject): Want {
  const [base, quote] = (text(i, 'uly') ?? '').split('-');
  const ccy = text(i, 'ctValCcy');
  const raw = `ctValCcy=${JSON.stringify(ccy ?? '')} uly=${text(i, 'uly') ?? '-'}`;
  if (ccy !== undefined && ccy === base) return unit('BASE', raw);
  if (ccy !== undefined && ccy === quote) return unit('QUOTE', raw);
  return absent(raw);
}

function expectedOf(i: RawObject, instType: InstType): ExpectedInstrument {
  const instId = text(i, 'instId') ?? '';
  const tick = decimal('tickSz', text(i, 'tickSz'));
  const steps = tickSteps('(okx has no price-dependent ticks)', []);
  const spot = instType === 'SPOT';
  return {
    segment: spot ? 'spot' : 'derivative',
    rawSymbol: instId,
    fields: {
      instrumentType: instrumentType(TYPE_OF[instType], `instType=${instType}`),
      tickSize: tick,
      tickSizeSteps: steps,
      pricePrecisionMode: priceMode(tick, steps),
      // lotSz / minSz: base currency for SPOT, contracts for FUTURES/SWAP/OPTION.
      lotSize: decimal('lotSz', text(i, 'lotSz')),
      minSize: decimal('minSz', text(i, 'minSz')),
      // OKX gives a cap per order kind (maxLmtSz limit, maxMktSz market, maxTwapSz, ...). CCXT maps
      // limits.amount.max to maxLmtSz, the cap of a plain limit order: that is the source of truth.
      maxSize: decimal('maxLmtSz', text(i, 'maxLmtSz')),
      minNotional: absent('OKX publishes no minimum order value'),
      // For SPOT, maxMktSz is the largest market order in quote currency; CCXT maps
      // limits.cost.max to it for spot only. Contracts have no notional cap in this response.
      maxNotional: spot ? decimal('maxMktSz (SPOT, quote currency)', text(i, 'maxMktSz')) : absent('contracts: no order-value cap'),
      contractSize: spot ? absent('spot has no contract size') : contractSizeOf(i),
      // expTime is the delivery/exercise time of FUTURES and OPTION. On a SWAP it would be a
      // delisting time, not an expiry (all recorded SWAPs have expTime "").
      expiry: instType === 'FUTURES' || instType === 'OPTION'
        ? epochMs('expTime', text(i, 'expTime'))
        : absent(`no expiry for instType=${instType} (expTime=${JSON.stringify(text(i, 'expTime') ?? '')})`),
      strike: instType === 'OPTION' ? decimal('stk', text(i, 'stk')) : absent('not an option'),
      optionType: instType === 'OPTION'
        ? derived({ C: 'OPTION_TYPE_CALL', P: 'OPTION_TYPE_PUT' }[text(i, 'optType') ?? ''] ?? `unknown optType`, `optType=${text(i, 'optType') ?? '-'}`)
        : absent('not an option'),
      // Order `sz`: base currency for SPOT (limit orders), number of contracts otherwise.
      amountUnit: spot ? unit('BASE', 'SPOT sz is in baseCcy') : unit('CONTRACTS', `${instType} sz is in contracts`),
      contractSizeUnit: spot ? absent('spot has no contract size') : contractSizeUnitOf(i),
    },
  };
}

function rawList(instType: InstType): RawObject[] {
  return listAt(readRecorded(ID, URL_OF[instType]), 'data');
}

/**
 * CCXT skips only entries without an instId (okx.js fetchMarketsByType: "broken preopen
 * placeholder"); sandbox TEST families are skipped only in sandbox mode. None lack an instId here.
 */
function kept(list: RawObject[]): RawObject[] {
  return list.filter((i) => text(i, 'instId') !== undefined);
}

describe('okx: conversion equals the raw public/instruments responses', () => {
  let sync: SyncRun;
  let expected: ExpectedInstrument[];
  const report: string[] = [];
  const lines = (): OutputLine[] => linesOf(sync, ID);

  beforeAll(async () => {
    expected = (Object.keys(URL_OF) as InstType[]).flatMap((t) => kept(rawList(t)).map((i) => expectedOf(i, t)));
    sync = await runSync([ID]);
  });

  afterAll(() => {
    console.log(`raw-okx (sync ${sync?.ms ?? '?'} ms)\n  ${report.join('\n  ')}`);
  });

  it('records the expected sample sizes (SWAP complete; SPOT, FUTURES, OPTION trimmed)', () => {
    const counts = Object.fromEntries((Object.keys(URL_OF) as InstType[]).map((t) => [t, rawList(t).length]));
    expect(counts).toEqual({ SPOT: 5, FUTURES: 6, SWAP: 255, OPTION: 4 });
    const keptCounts = Object.fromEntries((Object.keys(URL_OF) as InstType[]).map((t) => [t, kept(rawList(t)).length]));
    expect(keptCounts).toEqual(counts);
  });

  it('converts every raw instrument exactly once and nothing else', () => {
    const c = compare(ID, expected, lines());
    expect({ missing: c.missing, unexpected: c.unexpected, duplicates: c.duplicates }).toEqual({
      missing: [], unexpected: [], duplicates: [],
    });
    expect(lines()).toHaveLength(expected.length);
  });

  it('tick, lot, min/max size, notional cap, contract size, type, expiry, strike and option type equal the raw values', () => {
    const c = compare(ID, expected, lines());
    report.push(`${ID}: ${summary(c)}`);
    expect(c.mismatches).toEqual([]);
  });

  /** The preopen SWAP entries, with the contract's names of the trading parameters OKX left empty. */
  function preopenEntries(): Array<{ instId: string; empty: string[]; line: OutputLine | undefined }> {
    // The contract's name for each trading parameter and the raw OKX field it comes from.
    const sources: Array<[string, string]> = [
      ['tick_size', 'tickSz'],
      ['lot_size', 'lotSz'],
      // min_size / max_size are optional in the contract (dYdX never publishes them), so an empty
      // minSz / maxLmtSz alone does not make a market incomplete; contract size does.
      ['contract_size', 'ctVal'],
      ['base_asset', 'uly'],
      ['quote_asset', 'uly'],
      ['settle_asset', 'settleCcy'],
    ];
    return rawList('SWAP')
      .filter((i) => text(i, 'state') === 'preopen')
      .map((raw) => {
        const instId = text(raw, 'instId') ?? '';
        return {
          instId,
          empty: sources.filter(([, field]) => text(raw, field) === undefined).map(([name]) => name).sort(),
          line: lines().find((l) => l['exchangeRawSymbol'] === instId),
        };
      });
  }

  const incompleteOf = (line: OutputLine | undefined): string[] =>
    Array.isArray(line?.['incompleteFields']) ? [...(line['incompleteFields'] as string[])].sort() : [];

  it('marks the preopen SWAP (empty tickSz, lotSz, uly, settleCcy, ...) INCOMPLETE, naming the missing price/amount rules and assets', () => {
    const entries = preopenEntries();
    expect(entries.map((e) => e.instId)).toEqual(['2Z-USDT-SWAP']);
    const problems: string[] = [];
    for (const { instId, line } of entries) {
      if (line === undefined) {
        problems.push(`${ID} ${instId}: no output line`);
        continue;
      }
      if (line['status'] !== 'INSTRUMENT_STATUS_INCOMPLETE') {
        problems.push(`${ID} ${instId} status: raw state=preopen → expected INSTRUMENT_STATUS_INCOMPLETE, ours ${String(line['status'])}`);
      }
      if (line['exchangeStatus'] !== 'preopen') problems.push(`${ID} ${instId} exchangeStatus: raw state=preopen, ours ${String(line['exchangeStatus'])}`);
      const ours = incompleteOf(line);
      for (const name of ['tick_size', 'lot_size', 'base_asset', 'quote_asset', 'settle_asset']) {
        if (!ours.includes(name)) problems.push(`${ID} ${instId} incompleteFields: raw value empty → expected to name ${name}, ours [${ours.join(', ')}]`);
      }
    }
    expect(problems).toEqual([]);
  });

  // Stricter reading of the contract ("the missing ones are named in incomplete_fields"): every
  // required trading parameter this entry leaves empty is named, contract_size (ctVal) included.
  it('names exactly the trading parameters the preopen SWAP leaves empty in incompleteFields', () => {
    const problems = preopenEntries()
      .filter(({ empty, line }) => JSON.stringify(incompleteOf(line)) !== JSON.stringify(empty))
      .map(({ instId, empty, line }) => `${ID} ${instId} incompleteFields: raw empty → expected [${empty.join(', ')}], ours [${incompleteOf(line).join(', ')}]`);
    expect(problems).toEqual([]);
  });

  it('prints every decimal as a canonical plain decimal', () => {
    expect(nonCanonicalDecimals(ID, lines())).toEqual([]);
  });
});
