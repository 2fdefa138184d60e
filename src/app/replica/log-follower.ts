import type { Logger } from 'pino';
import { catchError, filter, firstValueFrom, map, of, timeout } from 'rxjs';
import type { SharedLog, LogEntry, SharedSnapshot } from '../../adapters/redis/shared-log.js';
import type { ChangeBatchEvent } from '../../domain/change-batch.js';
import type { InstrumentStore } from '../../store/instrument-store.js';
import { describeError } from '../../domain/describe-error.js';

interface Waiter {
  seq: number;
  resolve: (batch: ChangeBatchEvent | undefined) => void;
}

/**
 * Keeps the local store a replica of the shared log: starts from the snapshot (and the log's
 * entries up to it, as watch history), then applies every entry after it, in order, exactly once.
 * A replica serves only what it has applied, so every replica shows the same revision for the
 * same state. A gap (the log was trimmed past this replica while it was cut off, or Redis lost
 * its data) is not papered over: the store is reloaded from the snapshot and `onResync` ends the
 * watches, which resume (or re-list when their revision is no longer kept).
 */
export class LogFollower {
  private seq = 0;
  private lastId = '0-0';
  private running = false;
  private loop: Promise<void> | undefined;
  private waiters: Waiter[] = [];
  private readonly applied = new Map<number, ChangeBatchEvent | undefined>();

  constructor(
    private readonly log: SharedLog,
    private readonly store: InstrumentStore,
    private readonly logger: Logger,
    private readonly options: { blockMs: number; retryMs: number; onResync: (reason: string) => void },
  ) {}

  /** The sequence number of the last entry applied here. */
  get appliedSeq(): number {
    return this.seq;
  }

  /** Loads the snapshot into the store (replacing what it had) and the log before it as history. */
  async load(): Promise<SharedSnapshot> {
    const snapshot = await this.log.snapshot();
    const entries = snapshot.lastId === '0-0' ? [] : await this.log.entriesThrough(snapshot.lastId);
    const history = entries.filter((e) => e.isBatch).map((e): ChangeBatchEvent => ({
      revision: e.revision, appliedAt: e.delta.appliedAt, ccxtExchange: e.delta.ccxtExchange, changes: e.delta.changes,
    }));
    // What this replica can resume from is what it read: entries may have been trimmed since.
    const first = entries[0];
    const oldestResumable = first === undefined ? snapshot.revision : first.isBatch ? first.revision - 1 : first.revision;
    this.store.restore({ revision: snapshot.revision, sources: snapshot.sources, history, oldestResumable, retired: snapshot.retired }, { markStale: false });
    this.seq = snapshot.seq;
    this.lastId = snapshot.lastId;
    return snapshot;
  }

  start(): void {
    this.running = true;
    this.loop = this.follow();
  }

  async stop(): Promise<void> {
    this.running = false;
    for (const w of this.waiters.splice(0)) w.resolve(undefined);
    await this.loop;
  }

  /**
   * Resolves once the entry `seq` is applied here, with its batch (undefined for an entry that
   * only moved a source, or when `timeoutMs` passes first).
   */
  waitFor(seq: number, timeoutMs: number): Promise<ChangeBatchEvent | undefined> {
    if (seq <= this.seq) return Promise.resolve(this.applied.get(seq));
    return new Promise((resolve) => {
      const waiter: Waiter = { seq, resolve };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        resolve(undefined);
      }, timeoutMs);
      waiter.resolve = (batch) => {
        clearTimeout(timer);
        resolve(batch);
      };
      this.waiters.push(waiter);
    });
  }

  /** Resolves true once the store reaches `revision`, false after `timeoutMs`. */
  awaitRevision(revision: number, timeoutMs: number): Promise<boolean> {
    if (this.store.revision >= revision) return Promise.resolve(true);
    return firstValueFrom(this.store.changes$.pipe(filter((b) => b.revision >= revision), map(() => true), timeout(timeoutMs), catchError(() => of(this.store.revision >= revision))), { defaultValue: false });
  }

  private async follow(): Promise<void> {
    let failing = false;
    while (this.running) {
      try {
        const entries = await this.log.read(this.lastId, this.options.blockMs);
        if (failing) this.logger.info({ seq: this.seq, revision: this.store.revision }, 'Redis reachable again: following the change log');
        failing = false;
        for (const entry of entries) {
          // After a resync the rest of this read is already in the reloaded snapshot.
          if (!this.running || !(await this.apply(entry))) break;
        }
      } catch (error) {
        if (!this.running) break;
        if (!failing) this.logger.warn({ err: describeError(error), revision: this.store.revision }, 'cannot read the change log from Redis: serving what this replica has until it answers');
        failing = true;
        await new Promise((r) => setTimeout(r, this.options.retryMs));
      }
    }
  }

  /** Applies one entry; false when it reloaded the snapshot instead. */
  private async apply(entry: LogEntry): Promise<boolean> {
    // Entry ids only grow, so an entry after the last one read that does not continue the sequence
    // means Redis lost entries (a restart without persistence) or trimmed them unread.
    if (entry.seq <= this.seq) {
      await this.resync(`change log entry ${entry.seq} comes after ${this.seq} here: Redis lost its data (run it with appendonly yes)`);
      return false;
    }
    if (entry.seq !== this.seq + 1) {
      await this.resync(`change log entry ${entry.seq} follows ${this.seq} here: entries were trimmed before this replica read them`);
      return false;
    }
    const batch = this.store.commitPrepared(entry.delta, entry.revision);
    this.seq = entry.seq;
    this.lastId = entry.id;
    this.applied.set(entry.seq, batch);
    // Only recent results are asked for (by the poller that committed them).
    this.applied.delete(entry.seq - 1000);
    const ready = this.waiters.filter((w) => w.seq <= this.seq);
    this.waiters = this.waiters.filter((w) => w.seq > this.seq);
    for (const w of ready) w.resolve(this.applied.get(w.seq));
    return true;
  }

  private async resync(reason: string): Promise<void> {
    this.logger.error({ reason, seq: this.seq, revision: this.store.revision }, 'replica fell behind the change log: reloading the snapshot and ending watches, which resume or re-list');
    await this.load();
    // Entries a poller waits for may now be inside the snapshot: applied, but with no batch to hand.
    for (const w of this.waiters.filter((w) => w.seq <= this.seq)) w.resolve(undefined);
    this.waiters = this.waiters.filter((w) => w.seq > this.seq);
    this.options.onResync(reason);
  }
}
