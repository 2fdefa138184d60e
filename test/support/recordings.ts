import { join } from 'node:path';
import { startReplayServer, type ReplayServer } from '../../src/adapters/replay/index.js';
import { EXCHANGES_DATED_DIR, EXCHANGES_DIR } from './fixtures.js';

/**
 * Exchanges with two real recordings: remounting one on its other recording makes the next
 * refresh apply real changes (binanceusdm 2024-12 ↔ 2025-08: +176/−5/~95 one way, the reverse
 * the other, whose 176 removals are held as suspect, > 20 %, until the next refresh confirms
 * them; kraken 2025-06 ↔ 2025-09: 588 changes either way).
 */
export const FLIPPING: Readonly<Record<string, readonly [string, string]>> = {
  binanceusdm: [join(EXCHANGES_DATED_DIR, 'binanceusdm@2024-12-13'), join(EXCHANGES_DIR, 'binanceusdm')],
  kraken: [join(EXCHANGES_DATED_DIR, 'kraken@2025-06-11'), join(EXCHANGES_DATED_DIR, 'kraken@2025-09-11')],
};

/** What the replay serves for one exchange: a set directory, or several to flip between (the first first). */
export type Recording = string | readonly string[];

/** The recordings of `id` by default: its flipping pair, else its undated recording. */
export const recordingOf = (id: string): Recording => FLIPPING[id] ?? join(EXCHANGES_DIR, id);

const setsOf = (recording: Recording): readonly string[] => (typeof recording === 'string' ? [recording] : recording);

/**
 * The replay exchange serving each exchange under a prefix (the exchange id, or
 * `<prefix>-<id>` when several services must be told apart in the request log), and flipping
 * exchanges between their recordings on every prefix at once.
 */
export class RecordedExchanges {
  private readonly recordings = new Map<string, readonly string[]>();
  private readonly current = new Map<string, number>();
  private readonly prefixes = new Map<string, Set<string>>();
  /** Flips so far, over all exchanges. */
  flips = 0;

  private constructor(readonly replay: ReplayServer) {}

  /** `root`: also serve every set under it, by folder name and by its real URLs (the global map). */
  static async start(options: { root?: string } = {}): Promise<RecordedExchanges> {
    return new RecordedExchanges(await startReplayServer(options.root === undefined ? {} : { fixturesDir: options.root }));
  }

  /** Serves `id` under `prefix` (default the id) from its current recording; returns the proxyUrl. */
  async serve(id: string, recording: Recording = recordingOf(id), prefix = id): Promise<string> {
    if (!this.recordings.has(id)) this.recordings.set(id, setsOf(recording));
    const prefixes = this.prefixes.get(id) ?? new Set<string>();
    this.prefixes.set(id, prefixes.add(prefix));
    await this.replay.mount(prefix, this.setOf(id));
    return this.replay.proxyUrlFor(prefix);
  }

  /** The set directory `id` is served from now. */
  setOf(id: string): string {
    const sets = this.recordings.get(id);
    if (sets === undefined) throw new Error(`${id} is not served by this replay`);
    return sets[this.current.get(id) ?? 0] as string;
  }

  /** Serves `id` from its recording number `index` on every prefix. */
  async use(id: string, index: number): Promise<void> {
    const sets = this.recordings.get(id) ?? [];
    if (index < 0 || index >= sets.length) throw new Error(`${id} has ${sets.length} recordings, not a number ${index}`);
    this.current.set(id, index);
    for (const prefix of this.prefixes.get(id) ?? []) await this.replay.mount(prefix, this.setOf(id));
  }

  /** Remounts `id` on its next recording, so the next refresh applies real changes. */
  async flip(id: string): Promise<void> {
    const count = this.recordings.get(id)?.length ?? 0;
    if (count < 2) throw new Error(`${id} has no second recording to flip to`);
    await this.use(id, ((this.current.get(id) ?? 0) + 1) % count);
    this.flips++;
  }

  close(): Promise<void> {
    return this.replay.close();
  }
}
