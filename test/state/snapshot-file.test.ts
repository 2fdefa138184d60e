import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InstrumentType } from '../../gen/ts/instruments/v1/instrument.js';
import { readSnapshots, snapshotPath, writeSnapshot } from '../../src/adapters/state/snapshot-file.js';
import { perpetual } from '../support/definitions.js';
import { flipByte } from './support/flip-byte.js';
import { useTempDirs } from './support/temp-dirs.js';

const tempDir = useTempDirs();
const savedAt = new Date('2026-03-01T12:00:00.123Z');

const definitions = [
  perpetual('BTC', {
    availableFromDatetime: new Date('2019-09-08T00:00:00Z'),
    lastUpdated: new Date('2026-02-28T23:59:59.999Z'),
    expiry: new Date('2026-06-26T08:00:00Z'),
    tickSizeSteps: [{ abovePrice: '0', tickSize: '0.1' }, { abovePrice: '10000', tickSize: '1' }],
    incompleteFields: ['lot_size'],
  }),
  perpetual('ETH', { linear: false, inverse: true }),
  // Spot: the optional linear/inverse stay unset, not false.
  { ...perpetual('SOL', { instrumentType: InstrumentType.INSTRUMENT_TYPE_SPOT, settleAsset: '' }), linear: undefined, inverse: undefined },
];

describe('snapshot files', () => {
  it('round-trip the exact definitions, dates and unset optional bools included, with their header', () => {
    const dir = tempDir();
    writeSnapshot(dir, 'testex', 42, definitions, savedAt);
    writeSnapshot(dir, 'emptyex', 7, [], savedAt);
    const { snapshots, problems } = readSnapshots(dir);
    expect(problems).toEqual([]);
    expect(snapshots.map((s) => [s.ccxtExchange, s.revision, s.savedAt.toISOString(), s.definitions.length])).toEqual([
      ['emptyex', 7, savedAt.toISOString(), 0],
      ['testex', 42, savedAt.toISOString(), 3],
    ]);
    const read = snapshots[1]?.definitions ?? [];
    expect(read).toEqual(definitions);
    expect(read[2]?.linear).toBeUndefined();
    expect(read[1]?.linear).toBe(false);
    expect(read[0]?.lastUpdated?.getTime()).toBe(definitions[0]?.lastUpdated?.getTime());
  });

  it('takes definitions from any iterable, e.g. a Map of the source', () => {
    const dir = tempDir();
    writeSnapshot(dir, 'testex', 1, new Map(definitions.map((d) => [d.instrumentKey, d])).values(), savedAt);
    expect(readSnapshots(dir).snapshots[0]?.definitions).toEqual(definitions);
  });

  it('skips a damaged, truncated or misnamed file with a reason and loads the others', () => {
    const dir = tempDir();
    for (const id of ['flipped', 'cut', 'good', 'renamed']) writeSnapshot(dir, id, 5, definitions, savedAt);
    flipByte(snapshotPath(dir, 'flipped'), 200);
    const cut = readFileSync(snapshotPath(dir, 'cut'));
    writeFileSync(snapshotPath(dir, 'cut'), cut.subarray(0, cut.length - 100));
    writeFileSync(join(dir, 'other.snap'), readFileSync(snapshotPath(dir, 'renamed')));
    writeFileSync(join(dir, 'noise.snap'), 'not a snapshot');

    const { snapshots, problems } = readSnapshots(dir);
    expect(snapshots.map((s) => s.ccxtExchange)).toEqual(['good', 'renamed']);
    expect(problems).toEqual([
      'snapshot cut.snap skipped: checksum mismatch (damaged or truncated)',
      'snapshot flipped.snap skipped: checksum mismatch (damaged or truncated)',
      'snapshot noise.snap skipped: not a snapshot file',
      'snapshot other.snap skipped: holds exchange "renamed", not "other"',
    ]);
  });

  it('a missing directory holds no snapshots; an id that is no file name is refused', () => {
    expect(readSnapshots(join(tempDir(), 'absent'))).toEqual({ snapshots: [], problems: [] });
    expect(() => writeSnapshot(tempDir(), '../escape', 1, [])).toThrow(/not a valid CCXT exchange id/);
  });
});
