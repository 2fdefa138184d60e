import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstrumentType, OptionType, type InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import {
  ChangeType, InstrumentServiceService, RemovalReason, type InstrumentChange, type WatchChangesResponse,
} from '../../gen/ts/instruments/v1/instrument_service.js';
import { createExchange } from '../../src/adapters/ccxt/create-exchange.js';
import { convertContextOf } from '../../src/adapters/ccxt/load-definitions.js';
import { convertMarket } from '../../src/domain/convert-market.js';
import type { UnifiedMarket } from '../../src/domain/unified-market.js';
import { EncodedInstrumentServiceService as Encoded } from '../../src/server/encoded-service.js';
import { perpetual } from '../support/definitions.js';
import { UNIFIED_MARKETS_DIR } from '../support/fixtures.js';

// Every definition CCXT's unified samples give (spot, swaps, futures, options, tick-size steps).
function sampleDefinitions(): InstrumentDefinition[] {
  const out: InstrumentDefinition[] = [];
  for (const file of readdirSync(UNIFIED_MARKETS_DIR).filter((f) => f.endsWith('.json'))) {
    const id = file.replace(/\.json$/, '');
    const ctx = convertContextOf(createExchange(id, {}, {}), new Date('2026-01-01T00:00:00.123Z'));
    const markets = Object.values(JSON.parse(readFileSync(join(UNIFIED_MARKETS_DIR, file), 'utf8')) as Record<string, UnifiedMarket>);
    for (const market of markets) {
      const result = convertMarket(market, ctx);
      if (result.ok) out.push(result.definition);
    }
  }
  // The samples have no options: add one with every optional field set.
  out.push(perpetual('BTC', {
    instrumentKey: 'TEST-VENUE:OPTION:BTC/USD:BTC-261225-50000-C', instrumentType: InstrumentType.INSTRUMENT_TYPE_OPTION,
    expiry: new Date('2026-12-25T08:00:00Z'), strike: '50000', optionType: OptionType.OPTION_TYPE_CALL, underlying: 'BTC',
    availableFromDatetime: new Date('2026-01-01T00:00:00Z'), availableToDatetime: new Date('2026-12-25T08:00:00Z'),
    incompleteFields: ['max_size'], fieldsFromHistory: ['min_notional'], stale: true, linear: false, inverse: true,
  }));
  return out;
}

const definitions = sampleDefinitions();
const plain = InstrumentServiceService;

describe('responses spliced from once-encoded definitions', () => {
  it('has a varied sample', () => {
    expect(definitions.length).toBeGreaterThan(50);
    expect(new Set(definitions.map((d) => d.instrumentType)).size).toBeGreaterThanOrEqual(3);
  });

  it('GetInstrument: byte for byte what the generated serializer writes', () => {
    for (const d of definitions) {
      const response = { instrument: d, revision: 123_456_789_012 };
      expect(Encoded.getInstrument.responseSerialize(response)).toEqual(plain.getInstrument.responseSerialize(response));
    }
    const empty = { instrument: undefined, revision: 0 };
    expect(Encoded.getInstrument.responseSerialize(empty)).toEqual(plain.getInstrument.responseSerialize(empty));
  });

  it('BatchGetInstruments and ListInstruments: the same bytes, the definitions reused across responses', () => {
    const batch = { instruments: definitions.slice(0, 500), notFoundKeys: ['A:SPOT:X/Y', 'B:SPOT:Z/W'], revision: 7 };
    expect(Encoded.batchGetInstruments.responseSerialize(batch)).toEqual(plain.batchGetInstruments.responseSerialize(batch));
    const page = { instruments: definitions, nextPageToken: 'token', revision: 8 };
    expect(Encoded.listInstruments.responseSerialize(page)).toEqual(plain.listInstruments.responseSerialize(page));
    const reread = { instruments: [...definitions].reverse(), nextPageToken: '', revision: 9 };
    expect(Encoded.listInstruments.responseSerialize(reread)).toEqual(plain.listInstruments.responseSerialize(reread));
  });

  it('WatchChanges: snapshot pages, change batches and the small events', () => {
    const [a, b, c] = definitions as [InstrumentDefinition, InstrumentDefinition, InstrumentDefinition];
    const changes: InstrumentChange[] = [
      { changeType: ChangeType.CHANGE_TYPE_ADDED, instrumentKey: a.instrumentKey, instrument: a, previous: undefined, changedFields: [], removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED },
      { changeType: ChangeType.CHANGE_TYPE_UPDATED, instrumentKey: b.instrumentKey, instrument: { ...b, tickSize: '0.5' }, previous: b, changedFields: ['tick_size'], removalReason: RemovalReason.REMOVAL_REASON_UNSPECIFIED },
      { changeType: ChangeType.CHANGE_TYPE_REMOVED, instrumentKey: c.instrumentKey, instrument: undefined, previous: c, changedFields: [], removalReason: RemovalReason.REMOVAL_REASON_DELISTED },
    ];
    const messages: WatchChangesResponse[] = [
      { revision: 3, snapshot: { instruments: definitions.slice(0, 50) } },
      { revision: 3, snapshotEnd: {} },
      { revision: 4, changes: { changes, appliedTime: new Date('2026-11-24T10:00:00.250Z') } },
      { revision: 5, progress: {} },
      { revision: 0, snapshot: { instruments: [] } },
    ];
    for (const message of messages) {
      expect(Encoded.watchChanges.responseSerialize(message)).toEqual(plain.watchChanges.responseSerialize(message));
      // The second call answers from the per-message cache: still the same bytes.
      expect(Encoded.watchChanges.responseSerialize(message)).toEqual(plain.watchChanges.responseSerialize(message));
    }
  });
});
