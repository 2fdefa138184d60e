import { appendFileSync, readdirSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChangeJournal, type JournalLimits } from '../../src/adapters/state/change-journal.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';
import { addedBatch } from './support/batches.js';
import { flipByte } from './support/flip-byte.js';
import { useTempDirs } from './support/temp-dirs.js';

const tempDir = useTempDirs();
const roomy: JournalLimits = { maxBatches: 1000, maxChanges: 100_000 };

function writeJournal(dir: string, batches: ChangeBatchEvent[], limits: JournalLimits = roomy): void {
  const { journal } = ChangeJournal.open(dir, limits);
  for (const b of batches) journal.append(b);
  journal.close();
}

const segments = (dir: string): string[] => readdirSync(dir).sort();
const revisions = (batches: ChangeBatchEvent[]): number[] => batches.map((b) => b.revision);

describe('ChangeJournal', () => {
  it('reads back exactly the batches appended: ADDED, UPDATED with previous, REMOVED', () => {
    const store = new InstrumentStore();
    const t = (m: number): Date => new Date(Date.UTC(2026, 0, 1, 0, m));
    const batches = [
      store.applyExchange('testex', [perpetual('BTC'), perpetual('ETH'), perpetual('OLD', { expiry: t(1) })], t(0)),
      store.applyExchange('testex', [perpetual('BTC', { tickSize: '0.5', linear: undefined }), perpetual('ETH')], t(5)),
      store.applyExchange('otherex', [perpetual('XRP', { ccxtExchange: 'otherex', venue: 'OTHER', instrumentKey: 'OTHER:PERPETUAL:XRP/USDT:USDT' })], t(6)),
    ].filter((b) => b !== undefined);
    const dir = tempDir();
    writeJournal(dir, batches);
    const { batches: read, problems } = ChangeJournal.open(dir, roomy);
    expect(problems).toEqual([]);
    expect(read).toEqual(batches);
    expect(read[1]?.changes.map((c) => c.changeType)).toEqual(batches[1]?.changes.map((c) => c.changeType));
  });

  it('appends after what it read, in a new segment, and refuses a revision not above the last', () => {
    const dir = tempDir();
    writeJournal(dir, [addedBatch(1), addedBatch(2)]);
    const { journal } = ChangeJournal.open(dir, roomy);
    expect(() => journal.append(addedBatch(2))).toThrow(/revision 2 after 2/);
    journal.append(addedBatch(3));
    journal.close();
    expect(segments(dir)).toEqual(['0000000000000001.journal', '0000000000000003.journal']);
    expect(revisions(ChangeJournal.open(dir, roomy).batches)).toEqual([1, 2, 3]);
  });

  it('truncates a torn last record away, reports it, and appends cleanly after it', () => {
    const dir = tempDir();
    writeJournal(dir, [addedBatch(1, 3), addedBatch(2, 3), addedBatch(3, 3)]);
    const [segment] = segments(dir);
    const path = join(dir, segment as string);
    const whole = statSync(path).size;
    truncateSync(path, whole - 10);

    const opened = ChangeJournal.open(dir, roomy);
    expect(revisions(opened.batches)).toEqual([1, 2]);
    expect(opened.problems).toHaveLength(1);
    expect(opened.problems[0]).toMatch(/^journal 0000000000000001\.journal: torn last record at byte \d+ \(record of \d+ bytes cut short at \d+; a crash mid-append\), truncated$/);
    expect(statSync(path).size).toBeLessThan(whole - 10);
    opened.journal.append(addedBatch(3));
    opened.journal.close();
    const again = ChangeJournal.open(dir, roomy);
    expect(again.problems).toEqual([]);
    expect(revisions(again.batches)).toEqual([1, 2, 3]);
  });

  it('treats a zero-filled tail and a partial header as torn, and deletes a segment left empty', () => {
    const dir = tempDir();
    writeJournal(dir, [addedBatch(1)]);
    writeJournal(dir, [addedBatch(2)]);
    const [first, second] = segments(dir);
    appendFileSync(join(dir, second as string), Buffer.alloc(4096));
    expect(ChangeJournal.open(dir, roomy).problems).toEqual([expect.stringMatching(/torn last record .*impossible record length 0/)]);
    truncateSync(join(dir, second as string), 5);
    const opened = ChangeJournal.open(dir, roomy);
    expect(opened.problems).toEqual([expect.stringMatching(/torn last record at byte 0 \(5 bytes, less than a record header/)]);
    expect(revisions(opened.batches)).toEqual([1]);
    expect(segments(dir)).toEqual([first]);
  });

  it('reports damage in an older segment and reads on in the next; damage inside the last segment is cut', () => {
    const dir = tempDir();
    writeJournal(dir, [addedBatch(1, 2), addedBatch(2, 2)]);
    writeJournal(dir, [addedBatch(3, 2), addedBatch(4, 2)]);
    writeJournal(dir, [addedBatch(5, 2), addedBatch(6, 2)]);
    const [first, , last] = segments(dir).map((name) => join(dir, name)) as [string, string, string];
    flipByte(first, 20);
    flipByte(last, 20);
    const { batches, problems } = ChangeJournal.open(dir, roomy);
    expect(revisions(batches)).toEqual([3, 4]);
    expect(problems).toEqual([
      expect.stringMatching(/^journal 0000000000000001\.journal: damaged record at byte 0 \(checksum mismatch\); the \d+ bytes from it skipped$/),
      expect.stringMatching(/^journal 0000000000000005\.journal: damaged record at byte 0 \(checksum mismatch\), truncated with the \d+ bytes from it$/),
    ]);
  });

  it('rotates segments by batch count and by size', () => {
    const byCount = tempDir();
    writeJournal(byCount, Array.from({ length: 7 }, (_, i) => addedBatch(i + 1)), { ...roomy, segmentBatches: 3 });
    expect(segments(byCount)).toEqual(['0000000000000001.journal', '0000000000000004.journal', '0000000000000007.journal']);
    const one = tempDir();
    writeJournal(one, [addedBatch(1, 8)]);
    const recordBytes = statSync(join(one, segments(one)[0] as string)).size;
    const bySize = tempDir();
    writeJournal(bySize, Array.from({ length: 5 }, (_, i) => addedBatch(i + 1, 8)), { ...roomy, segmentBytes: recordBytes * 2.5 });
    expect(segments(bySize)).toEqual(['0000000000000001.journal', '0000000000000003.journal', '0000000000000005.journal']);
  });

  it('deletes whole old segments once newer ones hold every batch the limits keep', () => {
    const dir = tempDir();
    const limits = { maxBatches: 5, maxChanges: 1000, segmentBatches: 2 };
    writeJournal(dir, Array.from({ length: 20 }, (_, i) => addedBatch(i + 1)), limits);
    // Kept: 16..20; their segments start at 15, 17 and 19.
    expect(segments(dir)).toEqual(['0000000000000015.journal', '0000000000000017.journal', '0000000000000019.journal']);
    expect(revisions(ChangeJournal.open(dir, limits).batches)).toEqual([15, 16, 17, 18, 19, 20]);
  });

  it('bounds by changes too, and always keeps the newest batch however large', () => {
    const dir = tempDir();
    const limits = { maxBatches: 100, maxChanges: 10, segmentBatches: 1 };
    writeJournal(dir, [addedBatch(1, 4), addedBatch(2, 4), addedBatch(3, 4), addedBatch(4, 4)], limits);
    expect(revisions(ChangeJournal.open(dir, limits).batches)).toEqual([3, 4]);
    writeJournal(dir, [addedBatch(5, 50)], limits);
    expect(revisions(ChangeJournal.open(dir, limits).batches)).toEqual([5]);
  });

  it('keeps batches from mustKeepFrom on, whatever the limits', () => {
    const dir = tempDir();
    const limits = { maxBatches: 2, maxChanges: 1000, segmentBatches: 1 };
    const { journal } = ChangeJournal.open(dir, limits);
    for (let r = 1; r <= 6; r++) journal.append(addedBatch(r), 3);
    journal.append(addedBatch(7));
    journal.close();
    expect(revisions(ChangeJournal.open(dir, limits).batches)).toEqual([6, 7]);
    const pinned = tempDir();
    writeJournal(pinned, [addedBatch(1)], limits);
    const again = ChangeJournal.open(pinned, limits).journal;
    for (let r = 2; r <= 6; r++) again.append(addedBatch(r), 3);
    again.close();
    expect(revisions(ChangeJournal.open(pinned, limits).batches)).toEqual([3, 4, 5, 6]);
  });
});
