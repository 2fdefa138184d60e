import { closeSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import type { HistoryLimits } from '../../store/change-history.js';
import { fsyncDirSync, writeAllSync } from './atomic-write.js';
import { windowStart } from './history-window.js';
import { encodeRecord, readRecord } from './journal-record.js';

export interface JournalLimits extends HistoryLimits {
  /** A segment takes no more records once it holds this many bytes (default 16 MiB). */
  segmentBytes?: number;
  /** ... or this many batches (default a quarter of maxBatches), so compaction frees space in steps. */
  segmentBatches?: number;
}

export interface OpenedJournal {
  journal: ChangeJournal;
  /** Every batch read back, oldest first, revisions increasing. */
  batches: ChangeBatchEvent[];
  problems: string[];
}

interface Segment {
  path: string;
  bytes: number;
  /** Revision and change count of each batch in it, oldest first. */
  batches: Array<{ revision: number; changes: number }>;
}

// Named by the first revision written to it, zero-padded so names sort as revisions do.
const SEGMENT = /^(\d{16})\.journal$/;
const segmentName = (revision: number): string => `${String(revision).padStart(16, '0')}.journal`;

/**
 * Applied change batches, appended to segment files in `dir`. An append returns once the record
 * is on disk. Only the newest segment is written to, and each process starts a new one rather
 * than reopen one it did not write, so a crash can damage only the tail of the last segment:
 * opening truncates that away. Whole old segments are deleted once the newer ones hold every
 * batch the limits keep, so the journal holds at most one segment more than the history does.
 */
export class ChangeJournal {
  private fd: number | undefined;

  private constructor(
    private readonly dir: string,
    private readonly limits: Required<JournalLimits>,
    private readonly segments: Segment[],
    /** The newest revision in the journal; 0 when empty. */
    private newest: number,
  ) {}

  static open(dir: string, limits: JournalLimits): OpenedJournal {
    mkdirSync(dir, { recursive: true });
    const names = readdirSync(dir).filter((name) => SEGMENT.test(name)).sort();
    const segments: Segment[] = [];
    const batches: ChangeBatchEvent[] = [];
    const problems: string[] = [];
    for (const [i, name] of names.entries()) {
      const path = join(dir, name);
      const data = readFileSync(path);
      const segment: Segment = { path, bytes: 0, batches: [] };
      const last = i === names.length - 1;
      while (segment.bytes < data.length) {
        const record = readRecord(data, segment.bytes);
        if (!record.ok) {
          problems.push(damageReport(name, segment.bytes, record, data.length, last));
          break;
        }
        const previous = batches.at(-1)?.revision ?? 0;
        if (record.batch.revision <= previous) problems.push(`journal ${name}: batch ${record.batch.revision} after ${previous} ignored (out of order)`);
        else {
          batches.push(record.batch);
          segment.batches.push({ revision: record.batch.revision, changes: record.batch.changes.length });
        }
        segment.bytes = record.end;
      }
      if (last && segment.bytes < data.length) truncateDurably(path, segment.bytes);
      // Left empty: a crash came before its first record was whole.
      if (last && segment.bytes === 0) rmSync(path);
      else segments.push(segment);
    }
    const journal = new ChangeJournal(dir, {
      segmentBytes: 16 << 20,
      segmentBatches: Math.max(1, Math.ceil(limits.maxBatches / 4)),
      ...limits,
    }, segments, batches.at(-1)?.revision ?? 0);
    return { journal, batches, problems };
  }

  /**
   * Writes the batch and fsyncs it. `mustKeepFrom`: the oldest revision to keep whatever the
   * limits say (batches not yet reflected in a snapshot).
   */
  append(batch: ChangeBatchEvent, mustKeepFrom = Infinity): void {
    if (batch.revision <= this.newest) throw new Error(`journal append of revision ${batch.revision} after ${this.newest}`);
    const record = encodeRecord(batch);
    let segment = this.segments.at(-1);
    const full = segment !== undefined && (segment.bytes + record.length > this.limits.segmentBytes || segment.batches.length >= this.limits.segmentBatches);
    if (segment === undefined || this.fd === undefined || full) segment = this.startSegment(batch.revision);
    const fd = this.fd as number;
    try {
      writeAllSync(fd, record);
      fsyncSync(fd);
    } catch (error) {
      // A partial record mid-segment would hide every later one; the segment must end whole.
      ftruncateSync(fd, segment.bytes);
      throw error;
    }
    segment.bytes += record.length;
    segment.batches.push({ revision: batch.revision, changes: batch.changes.length });
    this.newest = batch.revision;
    this.compact(mustKeepFrom);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private startSegment(revision: number): Segment {
    this.close();
    const path = join(this.dir, segmentName(revision));
    // Append mode: every write goes to the end, where a truncation after a failed write left it.
    this.fd = openSync(path, 'ax');
    fsyncDirSync(this.dir);
    const segment: Segment = { path, bytes: 0, batches: [] };
    this.segments.push(segment);
    return segment;
  }

  /** Deletes the oldest segments whose batches are all older than what must be kept. */
  private compact(mustKeepFrom: number): void {
    const all = this.segments.flatMap((s) => s.batches);
    const keepFrom = Math.min(mustKeepFrom, all[windowStart(all.map((b) => b.changes), this.limits)]?.revision ?? Infinity);
    let deleted = false;
    while (this.segments.length > 1 && ((this.segments[0] as Segment).batches.at(-1)?.revision ?? 0) < keepFrom) {
      rmSync((this.segments.shift() as Segment).path);
      deleted = true;
    }
    if (deleted) fsyncDirSync(this.dir);
  }
}

function damageReport(name: string, offset: number, record: { reason: string; torn: boolean }, size: number, last: boolean): string {
  if (!last) return `journal ${name}: damaged record at byte ${offset} (${record.reason}); the ${size - offset} bytes from it skipped`;
  if (record.torn) return `journal ${name}: torn last record at byte ${offset} (${record.reason}; a crash mid-append), truncated`;
  return `journal ${name}: damaged record at byte ${offset} (${record.reason}), truncated with the ${size - offset} bytes from it`;
}

function truncateDurably(path: string, length: number): void {
  truncateSync(path, length);
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
