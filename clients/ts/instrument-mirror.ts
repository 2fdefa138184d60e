import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import type { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { WatchChangesRequest, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import { asError, reporter, runGuarded, type Report } from './callback-guard.js';
import type { MirrorCounters, MirrorErrorSource, MirrorOptions, WatchClient } from './mirror-options.js';
import { MirrorState, ProtocolError } from './mirror-state.js';
import { checkBackoff, DEFAULT_BACKOFF, reconnectDelay, type BackoffOptions } from './reconnect-backoff.js';
import { Waiters } from './revision-waiters.js';
import { outcomeOf, type StreamOutcome } from './stream-outcome.js';

/**
 * An in-process copy of the instruments matching a filter, kept current by one WatchChanges
 * stream: built from its initial snapshot, then changed batch by batch. A dropped stream resumes
 * after the last revision seen (no snapshot, nothing missed); OUT_OF_RANGE re-lists; auth and
 * argument errors stop it (`error`, `failed`). Lookups never touch the network.
 */
export class InstrumentMirror {
  /** Resolves with the error when the mirror stops for good; never rejects. */
  readonly failed: Promise<Error>;
  private readonly state = new MirrorState();
  private readonly waiters = new Waiters();
  private readonly counts: MirrorCounters = { streams: 0, resumes: 0, snapshots: 0, relists: 0, batches: 0 };
  private readonly backoff: BackoffOptions;
  private readonly now: () => number;
  private readonly report: Report;
  private lifecycle: 'new' | 'running' | 'closed' | 'failed' = 'new';
  private fatal: Error | undefined;
  private announceFailure: (error: Error) => void = () => {};
  private stream: ClientReadableStream<WatchChangesResponse> | undefined;
  /** Snapshot pages of the current stream until its snapshot_end; undefined on a resumed stream. */
  private pending: InstrumentDefinition[] | undefined;
  private rev = 0;
  private isSynced = false;
  private needSnapshot = true;
  private lastMessageAt: number | undefined;
  private failedAttempts = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly client: WatchClient, private readonly options: MirrorOptions = {}) {
    this.backoff = checkBackoff(options.backoff ?? DEFAULT_BACKOFF);
    this.now = options.now ?? Date.now;
    this.report = reporter(options.onError);
    this.failed = new Promise((resolve) => (this.announceFailure = resolve));
  }

  start(): this {
    if (this.lifecycle === 'new') {
      this.lifecycle = 'running';
      this.open();
    } else if (this.lifecycle !== 'running') {
      throw new Error(`mirror is ${this.lifecycle}: create a new one`);
    }
    return this;
  }

  /** Stops watching; pending waits reject. The state stays readable. */
  close(): void {
    if (this.lifecycle === 'closed' || this.lifecycle === 'failed') return;
    this.lifecycle = 'closed';
    this.stop(new Error('mirror closed'));
  }

  get(key: string): InstrumentDefinition | undefined { return this.state.get(key); }
  byCcxt(exchange: string, symbol: string): InstrumentDefinition | undefined { return this.state.byCcxt(exchange, symbol); }
  byRaw(venue: string, rawSymbol: string): InstrumentDefinition | undefined { return this.state.byRaw(venue, rawSymbol); }
  all(): InstrumentDefinition[] { return this.state.all(); }
  get size(): number { return this.state.size; }
  /** The server revision the state is current as of (0 before the first sync). */
  get revision(): number { return this.rev; }
  /** True once a complete snapshot was applied; stays true while reconnecting (see stalenessMs). */
  get synced(): boolean { return this.isSynced; }
  /** The error that stopped the mirror, if one did (a grpc-js ServiceError for a status). */
  get error(): Error | undefined { return this.fatal; }
  get counters(): Readonly<MirrorCounters> { return { ...this.counts }; }

  /** Ms since the last message from the server; Infinity before the first. The server sends
   *  progress on idle watches, so this only keeps growing while the mirror is cut off. */
  get stalenessMs(): number {
    return this.lastMessageAt === undefined ? Number.POSITIVE_INFINITY : this.now() - this.lastMessageAt;
  }

  waitSynced(timeoutMs?: number): Promise<void> {
    return this.wait(() => this.isSynced, timeoutMs, () => 'the first snapshot');
  }

  /** Resolves once the state is current as of `revision` or later. */
  waitForRevision(revision: number, timeoutMs?: number): Promise<void> {
    return this.wait(() => this.isSynced && this.rev >= revision, timeoutMs, () => `revision ${revision} (at ${this.rev})`);
  }

  private wait(ready: () => boolean, timeoutMs: number | undefined, describe: () => string): Promise<void> {
    if (this.lifecycle === 'failed' || this.lifecycle === 'closed') {
      return ready() ? Promise.resolve() : Promise.reject(this.fatal ?? new Error('mirror closed'));
    }
    return this.waiters.until(ready, timeoutMs, describe);
  }

  private open(): void {
    // A resume needs a complete state at a revision > 0: start_revision 0 would mean "from now".
    const snapshot = this.needSnapshot || this.rev === 0;
    const filter = this.options.filter;
    const request = WatchChangesRequest.fromPartial(snapshot ? { filter, sendInitialSnapshot: true } : { filter, startRevision: this.rev });
    const metadata = this.options.metadata;
    let stream: ClientReadableStream<WatchChangesResponse>;
    try {
      stream = this.client.watchChanges(request, typeof metadata === 'function' ? metadata() : metadata?.clone());
    } catch (e) {
      // A closed client or a failing metadata callback: reopening would fail the same way.
      this.fail(asError(e));
      return;
    }
    this.counts.streams += 1;
    if (!snapshot) this.counts.resumes += 1;
    this.stream = stream;
    this.pending = snapshot ? [] : undefined;
    // Events of a stream the mirror has let go of (cancelled, replaced) are ignored.
    stream.on('data', (m: WatchChangesResponse) => this.stream === stream && this.onMessage(m));
    stream.on('error', (e: ServiceError) => this.stream === stream && this.end(e, outcomeOf(e.code), 'stream'));
    // A watch never ends with OK; if a proxy closes it so, resume as after any other drop.
    stream.on('status', (s: { code: number }) => s.code === status.OK && this.stream === stream &&
      this.end(new Error('watch ended without an error status'), 'resume', 'stream'));
  }

  private onMessage(m: WatchChangesResponse): void {
    this.lastMessageAt = this.now();
    try {
      this.apply(m);
    } catch (e) {
      if (!(e instanceof ProtocolError)) throw e;
      // The state may no longer match the server's: drop this stream and take a fresh snapshot.
      this.end(e, 'relist', 'protocol');
      return;
    }
    // Past its snapshot pages the stream works: the next drop starts the backoff over.
    if (m.snapshot === undefined) this.failedAttempts = 0;
    this.waiters.check();
  }

  private apply(m: WatchChangesResponse): void {
    if (m.snapshot !== undefined || m.snapshotEnd !== undefined) {
      if (this.pending === undefined) throw new ProtocolError('snapshot message on a watch that asked for none');
      if (m.snapshot !== undefined) {
        for (const d of m.snapshot.instruments) this.pending.push(d);
        return;
      }
      // The whole snapshot becomes visible at once, at its revision: never a half-listed state.
      this.state.replaceAll(this.pending);
      this.pending = undefined;
      this.rev = m.revision;
      this.isSynced = true;
      this.needSnapshot = false;
      this.counts.snapshots += 1;
      runGuarded(() => this.options.onSnapshot?.(m.revision), this.report);
    } else if (this.pending !== undefined) {
      // Changes or progress before snapshot_end would apply to a state not built yet.
      throw new ProtocolError('change or progress before snapshot_end');
    } else if (m.changes !== undefined) {
      // A batch at or below the applied revision is a repeat: replaying it could resurrect a key
      // removed since, so skip it.
      if (m.revision <= this.rev) return;
      this.state.applyBatch(m.changes.changes);
      this.rev = m.revision;
      this.counts.batches += 1;
      const batch = m.changes;
      runGuarded(() => this.options.onChange?.(batch, m.revision), this.report);
    } else {
      // Progress: nothing matching changed up to this revision.
      this.rev = m.revision;
    }
  }

  /** The current stream is over: stop, or reopen after a backoff (with a snapshot to re-list). */
  private end(error: Error, outcome: StreamOutcome, source: MirrorErrorSource): void {
    this.dropStream();
    if (outcome === 'fatal') {
      this.fail(error);
      return;
    }
    if (outcome === 'relist') {
      this.needSnapshot = true;
      this.counts.relists += 1;
    }
    this.report(error, source);
    this.failedAttempts += 1;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.lifecycle === 'running') this.open();
    }, reconnectDelay(this.failedAttempts, this.backoff));
  }

  private fail(error: Error): void {
    this.lifecycle = 'failed';
    this.fatal = error;
    this.stop(error);
    this.report(error, 'fatal');
    this.announceFailure(error);
  }

  private stop(error: Error): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dropStream();
    this.waiters.rejectAll(error);
  }

  private dropStream(): void {
    const stream = this.stream;
    this.stream = undefined;
    this.pending = undefined;
    stream?.cancel();
  }
}
