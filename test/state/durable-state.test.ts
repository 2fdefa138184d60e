import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeJournal } from '../../src/adapters/state/change-journal.js';
import { DurableState, type RestoredState } from '../../src/adapters/state/durable-state.js';
import { readSnapshots, snapshotPath, writeSnapshot } from '../../src/adapters/state/snapshot-file.js';
import type { ChangeBatchEvent } from '../../src/domain/change-batch.js';
import { InstrumentStore } from '../../src/store/instrument-store.js';
import { perpetual } from '../support/definitions.js';
import { flipByte } from './support/flip-byte.js';
import { useTempDirs } from './support/temp-dirs.js';

const tempDir = useTempDirs();
const roomy = { maxBatches: 100, maxChanges: 10_000 };
const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 1, 0, minute));
const other = (symbol: string, overrides: Partial<InstrumentDefinition> = {}): InstrumentDefinition =>
  perpetual(symbol, { ccxtExchange: 'otherex', venue: 'OTHER', instrumentKey: `OTHER:PERPETUAL:${symbol}/USDT:USDT`, ...overrides });

/** A store whose applied loads are persisted, as the service would run it. */
class Harness {
  readonly store = new InstrumentStore();
  batches: ChangeBatchEvent[] = [];
  /** `after`: the restored revision the store's own revisions continue from. */
  constructor(private readonly state: DurableState, private readonly after = 0) {}

  load(ccxtExchange: string, definitions: InstrumentDefinition[], minute: number, persist = true): ChangeBatchEvent {
    const applied = this.store.applyExchange(ccxtExchange, definitions, at(minute));
    if (applied === undefined) throw new Error('no change');
    const batch = { ...applied, revision: applied.revision + this.after };
    if (persist) this.state.persist(batch, definitions);
    this.batches.push(batch);
    return batch;
  }
}

function reopen(dir: string, limits = roomy): RestoredState {
  const { state, restored } = DurableState.open(dir, limits);
  state.close();
  return restored;
}

const byKey = (definitions: readonly InstrumentDefinition[] | undefined): InstrumentDefinition[] =>
  [...(definitions ?? [])].sort((a, b) => a.instrumentKey.localeCompare(b.instrumentKey));

/** Appends batches to the journal only: a crash after the journal append, before the snapshot. */
function journalOnly(dir: string, batches: ChangeBatchEvent[]): void {
  const { journal } = ChangeJournal.open(join(dir, 'journal'), roomy);
  for (const b of batches) journal.append(b);
  journal.close();
}

describe('DurableState', () => {
  it('an empty data directory restores nothing at revision 0', () => {
    expect(reopen(join(tempDir(), 'new'))).toEqual({ revision: 0, sources: new Map(), history: [], oldestResumable: 0, problems: [] });
  });

  it('restores every exchange, the revision and the history a watcher resumes through', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    const run = new Harness(state);
    run.load('testex', [perpetual('BTC'), perpetual('ETH'), perpetual('SOL', { linear: undefined, inverse: undefined })], 0);
    run.load('otherex', [other('XRP')], 1);
    run.load('testex', [perpetual('BTC', { tickSize: '0.5' }), perpetual('SOL', { linear: undefined, inverse: undefined })], 2);
    // A Map source, as the store keeps it.
    const batch = run.store.applyExchange('otherex', [other('XRP'), other('ADA')], at(3)) as ChangeBatchEvent;
    state.persist(batch, new Map([other('XRP'), other('ADA')].map((d) => [d.instrumentKey, d])));
    state.close();

    const restored = reopen(dir);
    expect(restored.revision).toBe(4);
    expect(restored.problems).toEqual([]);
    expect(byKey(restored.sources.get('testex'))).toEqual(byKey([perpetual('BTC', { tickSize: '0.5' }), perpetual('SOL', { linear: undefined, inverse: undefined })]));
    expect(byKey(restored.sources.get('otherex'))).toEqual(byKey([other('XRP'), other('ADA')]));
    expect(restored.history).toEqual([...run.batches, batch]);
    expect(restored.oldestResumable).toBe(0);
  });

  it('replays journal batches after an exchange snapshot (a crash between the two) and brings the snapshot up to date', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    const run = new Harness(state);
    run.load('testex', [perpetual('BTC'), perpetual('ETH'), perpetual('DOGE')], 0);
    run.load('otherex', [other('XRP')], 1);
    state.close();
    const unsnapshotted = [
      run.load('testex', [perpetual('BTC', { tickSize: '0.5' }), perpetual('ETH'), perpetual('SOL')], 2, false),
      run.load('otherex', [], 3, false),
    ];
    journalOnly(dir, unsnapshotted);

    const restored = reopen(dir);
    expect(restored.revision).toBe(4);
    expect(restored.problems).toEqual([]);
    expect(byKey(restored.sources.get('testex'))).toEqual(byKey([perpetual('BTC', { tickSize: '0.5' }), perpetual('ETH'), perpetual('SOL')]));
    expect(restored.sources.get('otherex')).toEqual([]);
    expect(readSnapshots(join(dir, 'snapshots')).snapshots.map((s) => [s.ccxtExchange, s.revision, s.definitions.length])).toEqual([
      ['otherex', 4, 0],
      ['testex', 3, 3],
    ]);
  });

  it('an exchange with journal batches but no snapshot starts from empty', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    const run = new Harness(state);
    run.load('testex', [perpetual('BTC'), perpetual('ETH')], 0);
    run.load('testex', [perpetual('ETH')], 1);
    state.close();
    rmSync(snapshotPath(join(dir, 'snapshots'), 'testex'));
    expect(reopen(dir).sources.get('testex')).toEqual([perpetual('ETH')]);
  });

  it('replay takes an exchange\'s own definitions only; losing a key to another exchange removes it', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    const run = new Harness(state);
    // Same venue, equal rank: "aaex" wins the shared key by id order.
    const shared = (id: string, tick: string): InstrumentDefinition => perpetual('BTC', { ccxtExchange: id, tickSize: tick });
    run.load('aaex', [shared('aaex', '1'), perpetual('ETH', { ccxtExchange: 'aaex' })], 0);
    run.load('zzex', [shared('zzex', '2'), perpetual('ADA', { ccxtExchange: 'zzex' })], 1);
    state.close();
    const dropped = run.load('aaex', [perpetual('ETH', { ccxtExchange: 'aaex' })], 2, false);
    expect(dropped.changes.map((c) => [c.instrument?.ccxtExchange, c.previous?.ccxtExchange])).toEqual([['zzex', 'aaex']]);
    journalOnly(dir, [dropped]);

    const restored = reopen(dir);
    expect(restored.sources.get('aaex')).toEqual([perpetual('ETH', { ccxtExchange: 'aaex' })]);
    expect(byKey(restored.sources.get('zzex'))).toEqual(byKey([shared('zzex', '2'), perpetual('ADA', { ccxtExchange: 'zzex' })]));
  });

  it('oldestResumable: 0 while nothing was dropped, then the revision before the oldest batch kept', () => {
    const dir = tempDir();
    const limits = { maxBatches: 3, maxChanges: 1000, segmentBatches: 1 };
    const { state } = DurableState.open(dir, limits);
    const run = new Harness(state);
    run.load('testex', [perpetual('BTC')], 0);
    run.load('testex', [perpetual('BTC', { tickSize: '1' })], 1);
    state.close();
    expect(reopen(dir, limits)).toMatchObject({ revision: 2, oldestResumable: 0 });

    const again = new Harness(DurableState.open(dir, limits).state, 2);
    for (let m = 2; m < 6; m++) again.load('otherex', [other('XRP', { tickSize: String(m) })], m);
    const restored = reopen(dir, limits);
    expect(restored.history.map((b) => b.revision)).toEqual([4, 5, 6]);
    expect(restored.oldestResumable).toBe(3);
  });

  it('refuses resumes from before the newest snapshot when the journal lost its tail, and across a later gap', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    new Harness(state).load('testex', [perpetual('BTC')], 0);
    state.close();
    // A snapshot ahead of the journal: as if the journal's last batches were lost.
    writeSnapshot(join(dir, 'snapshots'), 'otherex', 5, [other('XRP')]);
    let restored = reopen(dir);
    expect(restored).toMatchObject({ revision: 5, history: [], oldestResumable: 5 });

    const next = DurableState.open(dir, roomy).state;
    const store = new InstrumentStore();
    const batch = { ...(store.applyExchange('otherex', [other('XRP'), other('ADA')], at(9)) as ChangeBatchEvent), revision: 6 };
    next.persist(batch, [other('XRP'), other('ADA')]);
    next.close();
    restored = reopen(dir);
    expect(restored.revision).toBe(6);
    expect(restored.history.map((b) => b.revision)).toEqual([6]);
    expect(restored.oldestResumable).toBe(5);
  });

  it('reports a damaged snapshot and restores that exchange from the journal, the others as saved', () => {
    const dir = tempDir();
    const { state } = DurableState.open(dir, roomy);
    const run = new Harness(state);
    run.load('testex', [perpetual('BTC')], 0);
    run.load('otherex', [other('XRP')], 1);
    state.close();
    flipByte(snapshotPath(join(dir, 'snapshots'), 'testex'), 40);
    const restored = reopen(dir);
    expect(restored.problems).toEqual(['snapshot testex.snap skipped: checksum mismatch (damaged or truncated)']);
    expect(restored.sources.get('testex')).toEqual([perpetual('BTC')]);
    expect(restored.sources.get('otherex')).toEqual([other('XRP')]);
    expect(restored.revision).toBe(2);
  });

  it('after a failed snapshot write the journal keeps the batch beyond its limits until the exchange is snapshotted', () => {
    const dir = tempDir();
    const limits = { maxBatches: 1, maxChanges: 1000, segmentBatches: 1 };
    const { state } = DurableState.open(dir, limits);
    const run = new Harness(state);
    run.load('otherex', [other('XRP')], 0);
    // A directory where the snapshot goes makes its rename fail.
    const blocker = snapshotPath(join(dir, 'snapshots'), 'testex');
    mkdirSync(join(blocker, 'inside'), { recursive: true });
    expect(() => run.load('testex', [perpetual('BTC'), perpetual('ETH')], 1)).toThrow();
    run.load('otherex', [other('XRP', { tickSize: '2' })], 2);
    state.close();
    rmSync(blocker, { recursive: true });

    const restored = reopen(dir, limits);
    expect(byKey(restored.sources.get('testex'))).toEqual(byKey([perpetual('BTC'), perpetual('ETH')]));
    expect(restored.history.map((b) => b.revision)).toEqual([3]);
    expect(restored.oldestResumable).toBe(2);
  });
});
