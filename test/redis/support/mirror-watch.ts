import { ChangeType, WatchChangesRequest, type InstrumentServiceClient, type WatchChangesResponse } from '../../../gen/ts/instruments/v1/instrument_service.js';
import type { InstrumentDefinition } from '../../../gen/ts/instruments/v1/instrument.js';

/**
 * A watcher that keeps a mirror of the live view and checks every message against it: batches
 * come in revision order with no gap and none twice (an unfiltered watch gets every batch),
 * ADDED keys are new, UPDATED and REMOVED ones known. It can move to another replica, resuming
 * after the last revision it was handed everything through.
 */
export class MirrorWatch {
  readonly mirror = new Map<string, InstrumentDefinition>();
  /** Revisions of the batches received, in order, over every replica this watch was on. */
  readonly batches: number[] = [];
  /** When each batch arrived here (ms), by revision. */
  readonly arrivedAt = new Map<number, number>();
  /** The exchange each batch came from, by revision. */
  readonly exchangeOf = new Map<number, string>();
  readonly problems: string[] = [];
  /** Everything through this revision has been received. */
  through = 0;
  replica = '';
  private stream: ReturnType<InstrumentServiceClient['watchChanges']> | undefined;
  private ended: Promise<{ code: number; details: string }> = Promise.resolve({ code: 0, details: '' });
  private snapshotDone = false;

  /** Starts on `replica`: with a snapshot the first time, resuming after `through` afterwards. */
  connect(replica: string, client: InstrumentServiceClient): void {
    this.replica = replica;
    const resume = this.snapshotDone;
    const stream = client.watchChanges(WatchChangesRequest.fromPartial(resume ? { startRevision: this.through } : { sendInitialSnapshot: true }));
    this.stream = stream;
    stream.on('data', (m: WatchChangesResponse) => this.take(m));
    this.ended = new Promise((resolve) => {
      stream.on('error', (e: { code: number; details: string }) => resolve({ code: e.code, details: e.details }));
      stream.on('status', (s: { code: number; details: string }) => resolve({ code: s.code, details: s.details }));
    });
  }

  /** How the current stream ended (resolves only once it has). */
  status(): Promise<{ code: number; details: string }> {
    return this.ended;
  }

  cancel(): void {
    this.stream?.cancel();
  }

  private take(m: WatchChangesResponse): void {
    if (m.snapshot !== undefined) {
      for (const d of m.snapshot.instruments) this.mirror.set(d.instrumentKey, d);
      this.through = m.revision;
    } else if (m.snapshotEnd !== undefined) {
      this.snapshotDone = true;
      this.through = m.revision;
    } else if (m.progress !== undefined) {
      if (m.revision < this.through) this.problems.push(`${this.replica}: progress ${m.revision} behind ${this.through}`);
      this.through = Math.max(this.through, m.revision);
    } else if (m.changes !== undefined) {
      if (m.revision !== this.through + 1) this.problems.push(`${this.replica}: batch ${m.revision} after ${this.through}`);
      this.through = m.revision;
      this.batches.push(m.revision);
      this.arrivedAt.set(m.revision, Date.now());
      const sample = m.changes.changes[0];
      this.exchangeOf.set(m.revision, sample?.instrument?.ccxtExchange ?? sample?.previous?.ccxtExchange ?? '');
      for (const c of m.changes.changes) {
        const known = this.mirror.has(c.instrumentKey);
        if (c.changeType === ChangeType.CHANGE_TYPE_ADDED && known) this.problems.push(`${m.revision}: ADDED ${c.instrumentKey} already known`);
        if (c.changeType !== ChangeType.CHANGE_TYPE_ADDED && !known) this.problems.push(`${m.revision}: ${ChangeType[c.changeType]} of unknown ${c.instrumentKey}`);
        if (c.changeType === ChangeType.CHANGE_TYPE_REMOVED) this.mirror.delete(c.instrumentKey);
        else if (c.instrument !== undefined) this.mirror.set(c.instrumentKey, c.instrument);
      }
    }
  }
}
