import { status, type ClientReadableStream, type ServiceError } from '@grpc/grpc-js';
import { InstrumentDefinition } from '../../gen/ts/instruments/v1/instrument.js';
import { ChangeType, WatchChangesRequest, type InstrumentChange, type InstrumentServiceClient, type WatchChangesResponse } from '../../gen/ts/instruments/v1/instrument_service.js';
import type { Problems, Tally } from './problems.js';
import type { SoakFilter } from './soak-filters.js';

export type StartKind = 'snapshot' | 'resume';

/**
 * What one message claimed about the revisions it covers, kept so the test can check it against
 * the reference log at the end: a batch at `to` says no batch in (from, to) concerned this
 * watcher; a progress at `to` says none in (from, to].
 */
export interface Step {
  from: number;
  to: number;
  kind: 'batch' | 'progress';
  changes: number;
}

/** How a stream ended: its status code and details. */
type Ended = Pick<ServiceError, 'code' | 'details'>;

const json = (d: InstrumentDefinition | undefined): string => (d === undefined ? 'none' : JSON.stringify(InstrumentDefinition.toJSON(d)));

/**
 * One WatchChanges client keeping a mirror of the instruments its filter matches, checking every
 * message against the stream's contract as it applies it: snapshot pages at one revision in key
 * order then snapshot_end; batches in revision order (for a watcher of everything, exactly the
 * next revision); ADDED only of unknown keys, UPDATED and REMOVED only of known ones, with
 * `previous` equal to the mirror's copy; progress never behind what was delivered.
 */
export class MirrorWatcher {
  mirror = new Map<string, InstrumentDefinition>();
  /** The revision the mirror is complete through; 0 until a first snapshot has ended. */
  revision = 0;
  state: 'idle' | 'snapshot' | 'catch-up' | 'live' = 'idle';
  readonly steps: Step[] = [];
  /** Resumes refused as compacted away (each followed by a snapshot). */
  outOfRange = 0;
  private call: ClientReadableStream<WatchChangesResponse> | undefined;
  private snapshot: { revision: number; byKey: Map<string, InstrumentDefinition>; lastKey: string } | undefined;

  constructor(
    readonly id: number,
    private readonly client: InstrumentServiceClient,
    readonly filter: SoakFilter,
    private readonly problems: Problems,
    private readonly tally: Tally,
    /** Called with every batch applied (the reference watcher logs them). */
    private readonly onBatch?: (revision: number, changes: readonly InstrumentChange[]) => void,
  ) {}

  get connected(): boolean {
    return this.call !== undefined;
  }

  /** Opens a watch: from a snapshot, or resuming after the mirror's revision (a snapshot when it has none). */
  connect(kind: StartKind): void {
    if (this.call !== undefined) throw new Error(`watcher ${this.id} is already connected`);
    const resume = kind === 'resume' && this.revision > 0;
    const startRevision = resume ? this.revision : 0;
    this.tally.add(resume ? 'resume' : 'snapshot');
    const call = this.client.watchChanges(WatchChangesRequest.fromPartial({ filter: this.filter.filter, sendInitialSnapshot: !resume, startRevision }));
    this.call = call;
    this.state = resume ? 'catch-up' : 'snapshot';
    this.snapshot = undefined;
    call.on('data', (m: WatchChangesResponse) => {
      // After a cancel, grpc-js may still hand over messages already received: not processed,
      // as a real client that has let go of the stream would not.
      if (this.call === call) this.receive(m);
    });
    call.on('error', (e: ServiceError) => this.ended(call, e, startRevision));
    // A non-OK status also comes as 'error'; an OK one (the server ending a watch) only here.
    call.on('status', (s: Ended) => {
      if (s.code === status.OK) this.ended(call, s, startRevision);
    });
  }

  /** Lets go of the stream (client cancel), as a client disconnecting would. */
  cancel(): void {
    const call = this.call;
    if (call === undefined) return;
    this.call = undefined;
    this.state = 'idle';
    this.snapshot = undefined;
    call.cancel();
  }

  private ended(call: ClientReadableStream<WatchChangesResponse>, e: Ended, startRevision: number): void {
    const cancelledByUs = this.call !== call;
    if (cancelledByUs) {
      this.tally.add(`ended ${status[e.code] ?? e.code}`);
      if (e.code !== status.CANCELLED) this.problems.add(`watcher ${this.id}: cancelled stream ended with ${status[e.code]}: ${e.details}`);
      return;
    }
    this.call = undefined;
    this.state = 'idle';
    // OUT_OF_RANGE on a resume means the resume point was compacted away: legitimate only when
    // the server says it is older than what it keeps. The client then starts over from a snapshot.
    const resumableFrom = /resumable from (\d+)/.exec(e.details ?? '')?.[1];
    if (e.code === status.OUT_OF_RANGE && startRevision > 0 && resumableFrom !== undefined && startRevision < Number(resumableFrom)) {
      this.tally.add('ended OUT_OF_RANGE (resume point compacted)');
      this.outOfRange++;
      this.connect('snapshot');
      return;
    }
    this.tally.add(`ended unexpectedly ${status[e.code] ?? e.code}`);
    this.problems.add(`watcher ${this.id} (${this.filter.name}): stream ended with ${status[e.code] ?? e.code}: ${e.details}`);
  }

  private receive(m: WatchChangesResponse): void {
    const where = `watcher ${this.id} (${this.filter.name}) at ${this.revision}`;
    if (m.snapshot !== undefined || m.snapshotEnd !== undefined) {
      if (this.state !== 'snapshot') return this.problems.add(`${where}: snapshot message in state ${this.state}`);
      const s = (this.snapshot ??= { revision: m.revision, byKey: new Map(), lastKey: '' });
      if (m.revision !== s.revision) this.problems.add(`${where}: snapshot message at ${m.revision} in a snapshot at ${s.revision}`);
      for (const d of m.snapshot?.instruments ?? []) {
        if (d.instrumentKey <= s.lastKey) this.problems.add(`${where}: snapshot key ${d.instrumentKey} not after ${s.lastKey}`);
        if (!this.filter.matches(d)) this.problems.add(`${where}: snapshot has ${d.instrumentKey}, outside the filter`);
        s.lastKey = d.instrumentKey;
        s.byKey.set(d.instrumentKey, d);
      }
      if (m.snapshotEnd !== undefined) {
        this.mirror = s.byKey;
        this.revision = s.revision;
        this.snapshot = undefined;
        this.state = 'live';
      }
      return;
    }
    if (this.state === 'snapshot') return this.problems.add(`${where}: ${m.changes ? 'batch' : 'progress'} ${m.revision} before snapshot_end`);
    const everything = this.filter.name === 'all';
    if (m.progress !== undefined) {
      // Progress says "handed everything through here": for a watcher of everything that is the
      // last batch delivered; for a filtered one it may be further on, never behind.
      if (m.revision < this.revision || (everything && m.revision !== this.revision)) this.problems.add(`${where}: progress at ${m.revision}`);
      if (m.revision > this.revision) this.steps.push({ from: this.revision, to: m.revision, kind: 'progress', changes: 0 });
      this.revision = Math.max(this.revision, m.revision);
      this.state = 'live';
      return;
    }
    if (m.changes === undefined) return this.problems.add(`${where}: message with no event`);
    if (m.revision <= this.revision || (everything && m.revision !== this.revision + 1)) {
      this.problems.add(`${where}: batch ${m.revision} (${everything ? 'gap or duplicate' : 'duplicate or out of order'})`);
    }
    this.steps.push({ from: this.revision, to: m.revision, kind: 'batch', changes: m.changes.changes.length });
    this.apply(m.changes.changes, where);
    this.revision = m.revision;
    this.tally.add('batches applied');
    this.tally.add('changes delivered', m.changes.changes.length);
    this.onBatch?.(m.revision, m.changes.changes);
  }

  private apply(changes: readonly InstrumentChange[], where: string): void {
    for (const c of changes) {
      const known = this.mirror.get(c.instrumentKey);
      const d = c.instrument ?? c.previous;
      if (d === undefined || !this.filter.matches(d)) this.problems.add(`${where}: change of ${c.instrumentKey}, outside the filter`);
      switch (c.changeType) {
        case ChangeType.CHANGE_TYPE_ADDED:
          if (known !== undefined) this.problems.add(`${where}: ADDED ${c.instrumentKey}, already known`);
          break;
        case ChangeType.CHANGE_TYPE_UPDATED:
        case ChangeType.CHANGE_TYPE_REMOVED:
          if (known === undefined) this.problems.add(`${where}: ${ChangeType[c.changeType]} of unknown ${c.instrumentKey}`);
          else if (json(c.previous) !== json(known)) this.problems.add(`${where}: ${ChangeType[c.changeType]} ${c.instrumentKey}: previous differs from the mirror's copy`);
          break;
        default:
          this.problems.add(`${where}: change type ${c.changeType} for ${c.instrumentKey}`);
      }
      if (c.changeType === ChangeType.CHANGE_TYPE_REMOVED) this.mirror.delete(c.instrumentKey);
      else if (c.instrument !== undefined) this.mirror.set(c.instrumentKey, c.instrument);
      else this.problems.add(`${where}: ${ChangeType[c.changeType]} ${c.instrumentKey} without an instrument`);
    }
  }
}
