import { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';
import type { PreparedDelta } from '../../store/instrument-store.js';
import type { RedisKeys } from './redis-keys.js';
import type { RedisLink } from './redis-link.js';
import { COMMIT, SNAPSHOT } from './redis-scripts.js';
import { decodeDelta, encodeDefinition, encodeDelta, packFrames } from './replication-entry.js';
import { ChangeType } from '../../../gen/ts/instruments/v1/instrument_service.js';

export type CommitResult =
  | { ok: true; seq: number; revision: number }
  /** The caller's lease is gone (expired, or another replica holds it now): nothing written. */
  | { ok: false; reason: 'lease'; holder: string }
  /** The log moved on since the state the delta was prepared against: nothing written. */
  | { ok: false; reason: 'behind'; seq: number };

export interface LogEntry {
  id: string;
  seq: number;
  /** The batch's revision; for an entry that only moved a source, the revision it was written at. */
  revision: number;
  /** Whether the entry is a batch (took a revision) or only moved a source. */
  isBatch: boolean;
  delta: PreparedDelta;
}

export interface SharedSnapshot {
  seq: number;
  revision: number;
  /** The id of the last log entry the snapshot includes; tail after it. */
  lastId: string;
  sources: Map<string, InstrumentDefinition[]>;
  retired: InstrumentDefinition[];
}

const text = (value: unknown): string => (Buffer.isBuffer(value) ? value.toString('utf8') : String(value));

function definitionsOf(flat: unknown): InstrumentDefinition[] {
  const items = flat as Buffer[];
  const out: InstrumentDefinition[] = [];
  for (let i = 1; i < items.length; i += 2) out.push(InstrumentDefinition.decode(items[i] as Buffer));
  return out;
}

function entryOf([id, fields]: [Buffer, Buffer[]]): LogEntry {
  const field = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) field.set(text(fields[i]), fields[i + 1] as Buffer);
  const get = (name: string): Buffer => {
    const value = field.get(name);
    if (value === undefined) throw new Error(`change-log entry ${text(id)} has no field ${name}`);
    return value;
  };
  return {
    id: text(id), seq: Number(text(get('seq'))), revision: Number(text(get('rev'))), isBatch: text(get('kind')) === 'b',
    delta: decodeDelta(text(get('ex')), get('d')),
  };
}

/**
 * The shared change log and snapshot in Redis: commits (atomic, fenced, ordered), the snapshot a
 * replica starts from, and the entries it tails after it.
 */
export class SharedLog {
  constructor(private readonly link: RedisLink, private readonly keys: RedisKeys, private readonly maxEntries: number) {
    link.define('liCommit', COMMIT);
    link.define('liSnapshot', SNAPSHOT);
  }

  async commit(delta: PreparedDelta, expectedSeq: number, leaseValue: string): Promise<CommitResult> {
    const k = this.keys;
    const ex = delta.ccxtExchange;
    const retired = delta.changes.filter((c) => c.changeType === ChangeType.CHANGE_TYPE_REMOVED && c.instrument !== undefined);
    const relisted = delta.changes.filter((c) => c.changeType === ChangeType.CHANGE_TYPE_ADDED).map((c) => c.instrumentKey);
    const args = [
      leaseValue, expectedSeq, delta.changes.length > 0 ? 1 : 0, this.maxEntries, ex, encodeDelta(delta),
      packFrames(delta.upserts.flatMap((d) => [d.instrumentKey, encodeDefinition(d)])),
      packFrames(delta.removedKeys),
      packFrames(retired.flatMap((c) => [c.instrumentKey, encodeDefinition(c.instrument as InstrumentDefinition)])),
      packFrames(relisted),
    ];
    const reply = await this.link.script('liCommit', [k.lease(ex), k.seq, k.revision, k.log, k.source(ex), k.sources, k.retired, k.compacted, k.logIndex, k.lastId], args) as unknown[];
    const code = Number(reply[0]);
    if (code === -1) return { ok: false, reason: 'lease', holder: text(reply[1]) };
    if (code === -2) return { ok: false, reason: 'behind', seq: Number(reply[1]) };
    return { ok: true, seq: code, revision: Number(reply[1]) };
  }

  async snapshot(): Promise<SharedSnapshot> {
    const k = this.keys;
    const reply = await this.link.script('liSnapshot', [k.seq, k.revision, k.lastId, k.sources, k.retired], [k.tag]) as unknown[];
    const sources = new Map<string, InstrumentDefinition[]>();
    for (let i = 4; i + 1 < reply.length; i += 2) sources.set(text(reply[i]), definitionsOf(reply[i + 1]));
    return {
      seq: Number(text(reply[0])), revision: Number(text(reply[1])), lastId: text(reply[2]), retired: definitionsOf(reply[3]), sources,
    };
  }

  /** Entries up to and including `throughId`, oldest first, read in pages (what is left of them). */
  async entriesThrough(throughId: string, pageSize = 100): Promise<LogEntry[]> {
    const out: LogEntry[] = [];
    let start = '-';
    for (;;) {
      const page = await this.link.track(() => this.link.client.xrangeBuffer(this.keys.log, start, throughId, 'COUNT', pageSize));
      out.push(...page.map(entryOf));
      if (page.length < pageSize) return out;
      start = `(${(out[out.length - 1] as LogEntry).id}`;
    }
  }

  /** Entries after `afterId`, waiting up to `blockMs` for one (on the reading connection). */
  async read(afterId: string, blockMs: number, count = 100): Promise<LogEntry[]> {
    const reply = await this.link.track(() => this.link.reader.xreadBuffer('COUNT', count, 'BLOCK', blockMs, 'STREAMS', this.keys.log, afterId));
    if (reply === null) return [];
    return reply.flatMap(([, entries]) => entries.map(entryOf));
  }
}
