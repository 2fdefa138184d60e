import type { MirrorWatcher } from './mirror-watcher.js';
import { Tally, type Problems } from './problems.js';
import type { ReferenceLog } from './reference-log.js';

export interface ChaosSettings {
  /** One disconnect per tick. */
  everyMs: number;
  /** The server's watch.history_batches: a resume point this many batches back is compacted away. */
  historyBatches: number;
  /** Most watchers kept away for a long disconnect at once. */
  maxLongAway: number;
}

interface Away {
  kind: 'resume' | 'snapshot' | 'long';
  timer?: NodeJS.Timeout;
  /** For a long one: its resume point and how many OUT_OF_RANGE it had before. */
  from: number;
  outOfRangeBefore: number;
}

/**
 * Random client disconnects (cancel) and comebacks: most resume after their last revision a
 * moment later, some start over from a snapshot, and a few stay away until more batches than
 * the server keeps have passed, so their resume must be refused (OUT_OF_RANGE) and they re-snapshot.
 * Only watchers that are live or mid-snapshot are cut: mid-resume, a cancel would race the
 * server's answer to the resume itself.
 */
export class DisconnectChaos {
  readonly kinds = new Tally();
  private readonly away = new Map<MirrorWatcher, Away>();
  private readonly longResumed: Array<{ watcher: MirrorWatcher; before: number; from: number }> = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly watchers: readonly MirrorWatcher[],
    private readonly log: ReferenceLog,
    private readonly random: () => number,
    private readonly settings: ChaosSettings,
  ) {}

  start(): void {
    this.timer = setInterval(() => this.tick(), this.settings.everyMs);
  }

  /** Stops cutting and brings every watcher still away back at once. */
  stop(): void {
    clearInterval(this.timer);
    for (const [watcher, away] of this.away) {
      clearTimeout(away.timer);
      if (away.kind === 'long') this.kinds.add('long cut short at the end');
      watcher.connect(away.kind === 'snapshot' ? 'snapshot' : 'resume');
    }
    this.away.clear();
  }

  /** Every long disconnect's resume was refused as compacted away (and the watcher re-snapshotted). */
  checkLongResumes(problems: Problems): void {
    for (const { watcher, before, from } of this.longResumed) {
      if (watcher.outOfRange <= before) problems.add(`watcher ${watcher.id}: resume after ${from}, ${this.settings.historyBatches}+ batches back, was not refused as OUT_OF_RANGE`);
    }
  }

  private tick(): void {
    // Long-away watchers come back once enough batches passed that their resume point is gone.
    for (const [watcher, away] of this.away) {
      if (away.kind === 'long' && this.log.lastRevision > away.from + this.settings.historyBatches) {
        this.away.delete(watcher);
        this.longResumed.push({ watcher, before: away.outOfRangeBefore, from: away.from });
        watcher.connect('resume');
      }
    }
    const watcher = this.watchers[Math.floor(this.random() * this.watchers.length)];
    if (watcher === undefined || this.away.has(watcher) || (watcher.state !== 'live' && watcher.state !== 'snapshot')) return;
    const midSnapshot = watcher.state === 'snapshot';
    watcher.cancel();
    const roll = this.random();
    const longAway = [...this.away.values()].filter((a) => a.kind === 'long').length;
    const kind = roll < 0.08 && longAway < this.settings.maxLongAway && watcher.revision > 0 ? 'long' : roll < 0.6 ? 'resume' : 'snapshot';
    this.kinds.add(`${midSnapshot ? 'cut mid-snapshot, then ' : ''}${kind}`);
    const away: Away = { kind, from: watcher.revision, outOfRangeBefore: watcher.outOfRange };
    if (kind !== 'long') {
      // Test input: a disconnected watcher comes back after 50 ms to 2 s away.
      away.timer = setTimeout(() => {
        this.away.delete(watcher);
        watcher.connect(kind);
      }, 50 + this.random() * 1950);
    }
    this.away.set(watcher, away);
  }
}
